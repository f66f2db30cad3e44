export default definePageConfig({ navigationBarTitleText: '绑定电子校园卡' });
