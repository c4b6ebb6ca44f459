// A stable id for this isolate, the Workers stand-in for a pid. It is made on first use because
// Workers forbid generating random values at global scope ("Disallowed operation called within
// global scope"); every later request served by the same isolate then reports the same id.
let id: string | undefined;

export function isolateId(): string {
  id ??= crypto.randomUUID();
  return id;
}
