import { readStackFile } from './leftovers';
import { stopProcesses } from './processes';

/**
 * Started by `npm start` with a pipe on stdin. The pipe closes when `npm start` ends, however it
 * ends (SIGKILL included): then whatever the process file still lists is stopped, so the children
 * die with their parent. A clean shutdown removes the file first, and this exits doing nothing.
 */
const [file] = process.argv.slice(2);
if (!file) throw new Error('usage: reaper <stack process file>');
process.stdin.resume();
process.stdin.once('close', () => {
  const stack = readStackFile(file);
  void (stack ? stopProcesses(stack.children) : Promise.resolve()).finally(() => process.exit(0));
});
