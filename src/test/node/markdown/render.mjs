// The dashboard's renderer as the tests load it: the DOM stand-in installed as the page's globals.
import { install } from './dom.mjs';

install();

export { renderMarkdown } from '../../../main/resources/static/assets/markdown.js';
export { html, elements } from './dom.mjs';
