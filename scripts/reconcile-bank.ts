/**
 * `npm run reconcile:bank`: one run of the scheduled bank transfer reconciler, by hand (after a bank
 * outage, or to see what is open). Reads TABLE_NAME, BANK_CONFIG / BANK_CONFIG_PARAMETER and
 * (locally) DYNAMODB_ENDPOINT; with neither table nor endpoint set it works on the local `npm start`
 * database. Prints the counts and each failure; exits 1 if a transfer could not be settled.
 */
import { createDeps } from '../functions/deps';
import { reconcileBankTransfers } from '../functions/services/bank-transfers';

async function main(): Promise<number> {
  if (!process.env.TABLE_NAME && !process.env.DYNAMODB_ENDPOINT) {
    process.env.DYNAMODB_ENDPOINT = `http://127.0.0.1:${process.env.DYNAMODB_PORT ?? 8000}`;
  }
  const deps = createDeps();
  const report = await reconcileBankTransfers(deps);
  for (const failure of report.failures) console.log(`FAILED ${failure.transfer}: ${failure.error}`);
  console.log(
    `bank transfers of ${deps.config.tableName}: ${report.checked} checked, ${report.credited} credited, ${report.reversed} reversed, ` +
      `${report.refused} refused, ${report.expired} expired, ${report.open} still open, ${report.failures.length} failures`,
  );
  return report.failures.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`bank reconciliation failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  },
);
