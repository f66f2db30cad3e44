export default definePageConfig({ navigationBarTitleText: '拾到校园卡' });
