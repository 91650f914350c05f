import { main } from './cli.js';

const LONG_RUNNING = new Set(['serve', 'worker']);

const code = await main(process.argv);
// serve and worker keep running until a signal; one-shot commands end with their code.
if (code !== 0 || !LONG_RUNNING.has(process.argv[2] ?? '')) process.exitCode = code;
