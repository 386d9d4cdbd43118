/**
 * A container health check in JavaScript for images that have node but not necessarily curl:
 * exits 0 when GET http://127.0.0.1:<port><path> answers 200 within 3 s.
 */
export function loopbackHttpProbe(port: number, path: string): string {
  return `require('http').get({host:'127.0.0.1',port:${port},path:'${path}',timeout:3000},`
    + '(r)=>process.exit(r.statusCode===200?0:1)).on(\'error\',()=>process.exit(1))';
}
