// A small stand-in for the browser's DOM, just enough for the dashboard's dom.js and markdown.js:
// elements, text nodes, fragments, attributes and the properties they reflect. It has no HTML
// parser at all, and every way of handing HTML to a real DOM throws here, so a renderer that
// tried to interpret markup would fail the tests rather than pass them by accident.

const REFLECTED = { className: 'class', href: 'href', target: 'target', rel: 'rel', start: 'start', id: 'id', type: 'type' };
const VOID = new Set(['br', 'hr', 'img', 'input']);

const NONE = Object.freeze([]);

export class Node {
  constructor() {
    this.parentNode = null;
  }

  get childNodes() { return NONE; }

  get textContent() {
    return this.childNodes.map((child) => child.textContent).join('');
  }
}

export class Text extends Node {
  constructor(data) {
    super();
    this.data = data;
  }

  get textContent() { return this.data; }
}

class ParentNode extends Node {
  constructor() {
    super();
    this.nodes = [];
  }

  get childNodes() { return this.nodes; }

  append(...nodes) {
    for (const child of nodes) {
      if (child instanceof DocumentFragment) {
        for (const moved of child.nodes) {
          moved.parentNode = this;
          this.nodes.push(moved);
        }
        child.nodes = [];
      } else {
        const node = child instanceof Node ? child : new Text(String(child));
        if (node.parentNode) node.parentNode.nodes.splice(node.parentNode.nodes.indexOf(node), 1);
        node.parentNode = this;
        this.nodes.push(node);
      }
    }
  }

  get textContent() { return super.textContent; }

  set textContent(value) {
    this.nodes = [];
    this.append(String(value));
  }
}

export class DocumentFragment extends ParentNode {}

export class Element extends ParentNode {
  constructor(tagName) {
    super();
    this.tagName = tagName.toUpperCase();
    // Made when first used: the tests build hundreds of thousands of elements that have none.
    this.attributeMap = null;
    this.datasetObject = null;
    this.handlers = null;
  }

  get attributes() { return (this.attributeMap ??= new Map()); }

  get dataset() { return (this.datasetObject ??= {}); }

  get listeners() { return this.handlers ?? NONE; }

  setAttribute(name, value) { this.attributes.set(String(name).toLowerCase(), String(value)); }

  getAttribute(name) { return this.attributeMap?.get(name) ?? null; }

  addEventListener(type, listener) { (this.handlers ??= []).push([type, listener]); }

  set innerHTML(_) { throw new Error('innerHTML must never be set'); }

  set outerHTML(_) { throw new Error('outerHTML must never be set'); }

  insertAdjacentHTML() { throw new Error('insertAdjacentHTML must never be called'); }
}

for (const [property, attribute] of Object.entries(REFLECTED)) {
  Object.defineProperty(Element.prototype, property, {
    get() { return this.getAttribute(attribute) ?? ''; },
    set(value) { this.setAttribute(attribute, value); },
  });
}

export const document = {
  createElement: (tag) => new Element(tag),
  createElementNS: (_, tag) => new Element(tag),
  createTextNode: (data) => new Text(String(data)),
  createDocumentFragment: () => new DocumentFragment(),
  createRange() { throw new Error('ranges (createContextualFragment) must never be used'); },
};

/** Makes the stand-in the global DOM, as a page's module would see it. */
export function install() {
  Object.assign(globalThis, { Node, Text, Element, DocumentFragment, document });
  globalThis.window = { location: { origin: 'https://dashboard.example' } };
}

/** Every element below (and including) node, depth first. */
export function* elements(node) {
  if (node instanceof Element) yield node;
  for (const child of node.childNodes) yield* elements(child);
}

/** HTML as a browser would serialise the tree: text escaped, attributes sorted, data-* from dataset. */
export function html(node) {
  if (node instanceof Text) return escape(node.data, false);
  const inner = node.childNodes.map(html).join('');
  if (!(node instanceof Element)) return inner;
  const tag = node.tagName.toLowerCase();
  const attributes = [...node.attributes];
  for (const [key, value] of Object.entries(node.dataset)) {
    attributes.push([`data-${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, String(value)]);
  }
  const open = `<${tag}${attributes.sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => ` ${k}="${escape(v, true)}"`).join('')}>`;
  return VOID.has(tag) ? open : `${open}${inner}</${tag}>`;
}

function escape(text, attribute) {
  const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\u00a0/g, '&nbsp;');
  return attribute ? escaped.replace(/"/g, '&quot;') : escaped;
}
