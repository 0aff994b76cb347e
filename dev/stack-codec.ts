import { join } from 'node:path';
import { startProcess, type StartedProcess } from './processes';
import { ROOT } from './services';
import { stackEnv, stackPorts } from './stack-config';

export function startCodecServerProcess(port: number, logFile: string): StartedProcess {
  const ui = stackPorts().temporalUi;
  const uiOrigin = `http://127.0.0.1:${ui},http://localhost:${ui}`;
  return startProcess(
    'codec-server',
    process.execPath,
    [join(ROOT, 'bin', 'compound.js'), 'codec-server', '--port', String(port), '--ui-origin', uiOrigin],
    logFile,
    stackEnv(),
  );
}
