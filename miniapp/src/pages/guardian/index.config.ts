export default definePageConfig({ navigationBarTitleText: '家长充值' });
