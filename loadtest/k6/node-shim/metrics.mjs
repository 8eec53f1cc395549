export class Rate {
  constructor(name) {
    this.name = name;
    this.values = [];
  }
  add(v) {
    this.values.push(Boolean(v));
  }
}
