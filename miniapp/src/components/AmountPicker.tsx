/** A top-up's amount (the holder's own and a guardian's): a chip per usual amount, or one typed within the online range. */
import { View } from '@tarojs/components';
import { TOPUP_CHIPS_FEN } from '../lib/forms';
import { t, type Lang } from '../lib/i18n';
import { Field } from './Field';

export function AmountPicker(props: {
  lang: Lang;
  /** The input's name (its element id is field-<name>). */
  name: string;
  chip: number | undefined;
  custom: string;
  onChip: (fen: number) => void;
  onCustom: (text: string) => void;
  range: { min: string; max: string };
  /** The typed amount was refused: said under it. */
  invalid: boolean;
}) {
  const { lang, custom, chip, range } = props;
  return (
    <>
      <View className="chips">
        {TOPUP_CHIPS_FEN.map((fen) => (
          <View key={fen} className={`chip${!custom && chip === fen ? ' chip--on' : ''}`} onClick={() => props.onChip(fen)}>
            ¥{fen / 100}
          </View>
        ))}
      </View>
      <View style={{ height: '16px' }} />
      <Field
        label={t(lang, 'topup.custom')}
        name={props.name}
        value={custom}
        onInput={props.onCustom}
        type="digit"
        maxlength={9}
        placeholder={t(lang, 'topup.range', range)}
        {...(props.invalid ? { problem: t(lang, 'topup.invalid', range) } : {})}
      />
    </>
  );
}
