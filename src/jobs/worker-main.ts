import { loadConfig } from '../../config/index.ts';
import { buildApp } from '../app.ts';

/** `npm run worker`: processes jobs (mail, purges) without serving HTTP, for scale-out. */
const app = await buildApp(loadConfig(), { runWorker: true });
process.stdout.write('Servicekonto worker läuft\n');
const stop = () => void app.close().finally(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
