import { inject } from 'vitest';

// Every test file talks to the run's DynamoDB Local; the file's own table is made by tests/helpers/platform.ts.
process.env.DYNAMODB_ENDPOINT = inject('dynamodbEndpoint');
process.env.AWS_REGION = 'ap-east-1';
// Holder session tokens in tests are signed with a key made for this run.
process.env.SESSION_SECRET = `test-session-secret-${Math.random().toString(36).slice(2)}-${Date.now()}`;
process.env.IDENTITY_KEY = `test-identity-key-${Math.random().toString(36).slice(2)}-${Date.now()}`;
