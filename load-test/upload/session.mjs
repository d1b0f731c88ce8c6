// Writes a session upload (POST /api/sessions/upload JSON) of N messages to stdout, shaped like
// the AgentPipe web schema: a conversation, two agents, and messages of ~500 characters with
// every metric the CLI reports.
//
//   node load-test/upload/session.mjs <messages> <conversationId> > session.json
const [messagesArg, id] = process.argv.slice(2);
if (!messagesArg || !id) {
  console.error('usage: session.mjs <messages> <conversationId>');
  process.exit(2);
}
const count = Number(messagesArg);
const content = 'We should measure before we optimise; the profile says the time goes to the commit. '.repeat(6);
const agents = [
  { agent_type: 'claude', agent_name: 'Architect', model: 'claude-sonnet-4', cli_version: '2.0.14' },
  { agent_type: 'gemini', agent_name: 'Reviewer', model: 'gemini-2.5-pro' },
];
const start = Date.parse('2026-11-01T10:00:00Z');
const messages = Array.from({ length: count }, (_, i) => ({
  agent_type: agents[i % 2].agent_type, agent_name: agents[i % 2].agent_name, content: `${i}: ${content}`,
  role: 'agent', timestamp: new Date(start + i * 1000).toISOString(), sequence_number: i + 1,
  turn_number: Math.floor(i / 2) + 1, tokens_used: 100, input_tokens: 60, output_tokens: 40, cost: 0.0001,
  model: agents[i % 2].model, duration_ms: 1500,
}));
process.stdout.write(JSON.stringify({
  conversation: {
    id, name: 'Load-test session', mode: 'round-robin', initial_prompt: 'Design a rate limiter',
    started_at: new Date(start).toISOString(), completed_at: new Date(start + count * 1000).toISOString(),
    status: 'COMPLETED',
    system_info: { agentpipe_version: '0.6.2', os: 'linux', os_version: 'Ubuntu 24.04', go_version: 'go1.24.4', architecture: 'amd64' },
  },
  agents,
  messages,
}));
