/**
 * What every operator command (`npm run audit`, `reconcile:*`, `settle:closings`) does the same way:
 * it works on the local `npm start` database unless TABLE_NAME or DYNAMODB_ENDPOINT says otherwise,
 * exits with what its run returns (0 clean, 1 findings or failures), and with 2 when it could not run.
 */
export function runOperatorCommand(what: string, main: () => Promise<number>): void {
  if (!process.env.TABLE_NAME && !process.env.DYNAMODB_ENDPOINT) {
    process.env.DYNAMODB_ENDPOINT = `http://127.0.0.1:${process.env.DYNAMODB_PORT ?? 8000}`;
  }
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`${what} failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(2);
    },
  );
}

/** The campus day a daily command works on: `-- --day YYYY-MM-DD`, else its default; undefined (and the usage printed) if malformed. */
export function dayArgument(defaultDay: string, usage: string): string | undefined {
  const at = process.argv.indexOf('--day');
  const day = at >= 0 ? process.argv[at + 1] : defaultDay;
  if (day && /^\d{4}-\d{2}-\d{2}$/.test(day)) return day;
  console.error(`usage: ${usage}`);
  return undefined;
}
