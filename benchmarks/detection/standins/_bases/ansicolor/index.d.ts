type Style = (...text: unknown[]) => string;
declare const color: {
  [name: string]: Style | number | ((text: string) => string);
  level: number;
  strip(text: string): string;
};
export = color;
