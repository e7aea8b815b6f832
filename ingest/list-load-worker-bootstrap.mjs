// Worker threads do not inherit the --import hooks of their process on Node 20, so the
// TypeScript worker is loaded through tsx's API here.
import { register } from 'tsx/esm/api';

register();
await import('./list-load-worker.ts');
