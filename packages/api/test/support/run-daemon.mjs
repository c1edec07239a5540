// Runs a Velos daemon on the home given as the first argument (built @velos/supervisor).
import { runDaemon } from '@velos/supervisor';

await runDaemon({ home: process.argv[2] });
