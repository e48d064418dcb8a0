export { ownBuffer, ownString, ownStrings, StringInterner } from './own-string';
export { KeyIndex } from './key-index';
export { SweepTimer } from './sweep-timer';
