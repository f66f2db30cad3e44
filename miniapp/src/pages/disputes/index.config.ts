export default definePageConfig({ navigationBarTitleText: '我的争议' });
