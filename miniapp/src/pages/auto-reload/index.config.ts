export default definePageConfig({ navigationBarTitleText: '自动充值' });
