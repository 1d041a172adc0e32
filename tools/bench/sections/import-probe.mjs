// One cold import in a fresh process (sections/cold-import.ts starts one per sample). Plain
// JavaScript run by plain node: tsx's loader hooks would slow every module load they see.
const url = process.argv[2];
const start = performance.now();
await import(url);
process.stdout.write(JSON.stringify({ ms: performance.now() - start }));
