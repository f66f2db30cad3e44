// babel-preset-taro: React + TypeScript for every Taro target.
module.exports = {
  presets: [['taro', { framework: 'react', ts: true, compiler: 'webpack5' }]],
};
