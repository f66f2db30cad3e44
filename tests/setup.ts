import { inject } from 'vitest';

// Every test file talks to the run's DynamoDB Local; the file's own table is made by tests/helpers/platform.ts.
process.env.DYNAMODB_ENDPOINT = inject('dynamodbEndpoint');
process.env.AWS_REGION = 'ap-east-1';
