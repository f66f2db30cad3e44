/**
 * `npm run settle:closings`: one run of the scheduled closing settlement, by hand. Reads TABLE_NAME
 * and (locally) DYNAMODB_ENDPOINT; with neither set it works on the local `npm start` database.
 * Prints the counts and each failure; exits 1 if an account could not be settled.
 */
import { createDeps } from '../functions/deps';
import { settleClosedAccounts } from '../functions/services/closings';

async function main(): Promise<number> {
  if (!process.env.TABLE_NAME && !process.env.DYNAMODB_ENDPOINT) {
    process.env.DYNAMODB_ENDPOINT = `http://127.0.0.1:${process.env.DYNAMODB_PORT ?? 8000}`;
  }
  const deps = createDeps();
  const report = await settleClosedAccounts(deps);
  for (const failure of report.failures) console.log(`FAILED ${failure.accountNo}: ${failure.error}`);
  console.log(`closed accounts of ${deps.config.tableName}: ${report.checked} due, ${report.settled} settled, ${report.refundedFen} fen refunded, ${report.failures.length} failures`);
  return report.failures.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`closing settlement failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  },
);
