export default definePageConfig({ navigationBarTitleText: '卡务' });
