/** A labelled input with its problem underneath. */
import { Input, Text, View } from '@tarojs/components';

export function Field(props: {
  label: string;
  name: string;
  value: string;
  onInput: (value: string) => void;
  problem?: string;
  password?: boolean;
  type?: 'text' | 'number' | 'digit' | 'idcard';
  maxlength?: number;
  placeholder?: string;
}) {
  return (
    <View className={`field${props.problem ? ' field--invalid' : ''}`}>
      <Text className="field__label">{props.label}</Text>
      <Input
        className="field__input"
        id={`field-${props.name}`}
        name={props.name}
        value={props.value}
        password={props.password ?? false}
        type={props.type ?? 'text'}
        maxlength={props.maxlength ?? 140}
        placeholder={props.placeholder ?? ''}
        onInput={(event) => props.onInput(event.detail.value)}
      />
      {props.problem && <Text className="field__problem">{props.problem}</Text>}
    </View>
  );
}
