/**
 * `npm run resolve:payment-codes`: one run of the scheduled payment-code resolver, by hand (after a
 * platform outage, or to see what is open). Reads TABLE_NAME, WECHAT_PAY_CONFIG / ALIPAY_CONFIG (or
 * their _PARAMETER) and (locally) DYNAMODB_ENDPOINT; with neither table nor endpoint set it works on
 * the local `npm start` database. Prints the counts and each failure; exits 1 if a sale could not be resolved.
 */
import { createDeps } from '../functions/deps';
import { resolvePaymentCodes } from '../functions/services/payment-codes';
import { runOperatorCommand } from './operator-command';

async function main(): Promise<number> {
  const deps = createDeps();
  const report = await resolvePaymentCodes(deps);
  for (const failure of report.failures) console.log(`FAILED ${failure.sale}: ${failure.error}`);
  console.log(
    `payment-code sales of ${deps.config.tableName}: ${report.checked} checked, ${report.paid} paid, ${report.refused} refused, ` +
      `${report.cancelled} cancelled, ${report.open} still open, ${report.failures.length} failures`,
  );
  return report.failures.length === 0 ? 0 : 1;
}

runOperatorCommand('payment code resolution', main);
