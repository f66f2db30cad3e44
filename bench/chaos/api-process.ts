/**
 * The local API alone in its own process, so the harness can SIGKILL it at any moment and start it
 * again on the same port: `startLocalPlatform` on CHAOS_DYNAMODB_ENDPOINT (the harness's proxy),
 * stage CHAOS_STAGE, port CHAOS_PORT. The fakes' configurations come in the environment, as
 * functions/local/stack.ts passes them; the DynamoDB faults too (functions/store/fault-injection.ts).
 * Prints `ready <url>` once it listens.
 */
import { startLocalPlatform } from '../../functions/local/platform';

const endpoint = process.env.CHAOS_DYNAMODB_ENDPOINT;
const stage = process.env.CHAOS_STAGE;
const port = Number(process.env.CHAOS_PORT);
if (!endpoint || !stage || !port) {
  console.error('chaos api: CHAOS_DYNAMODB_ENDPOINT, CHAOS_STAGE and CHAOS_PORT are required');
  process.exit(2);
}
const platform = await startLocalPlatform({ dynamodbEndpoint: endpoint, stage, port });
process.stdout.write(`ready ${platform.url}\n`);
process.on('SIGTERM', () => void platform.close().then(() => process.exit(0)));
