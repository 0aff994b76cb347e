import type { Command } from 'commander';
import { loadConfig } from '../../common/config';
import { createEncryptionCodec, loadKeyring } from '../../common/encryption';
import { createCodecServer } from '../codec-server';

export function registerCodecServerCommand(program: Command): void {
  program
    .command('codec-server')
    .description('Serve /encode and /decode for the Temporal Web UI, so it shows decrypted payloads')
    .option('--port <port>', 'port to listen on (env COMPOUND_CODEC_PORT, default 8888)')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--ui-origin <urls>', 'comma-separated Web UI origins allowed by CORS (env COMPOUND_UI_ORIGIN)')
    .action((opts: { port?: string; host: string; uiOrigin?: string }) => {
      const config = loadConfig();
      const codec = createEncryptionCodec(loadKeyring());
      const port = opts.port ? Number(opts.port) : config.codecPort;
      const allowedOrigins = opts.uiOrigin ? opts.uiOrigin.split(',') : config.uiOrigins;
      const server = createCodecServer({ codec, allowedOrigins, authToken: config.codecAuthToken });
      server.listen(port, opts.host, () => {
        console.log(
          `codec server listening on http://${opts.host}:${port} (CORS: ${allowedOrigins.join(', ')})`,
        );
      });
      const stop = () => server.close(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
