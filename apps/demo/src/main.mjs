// hb demo (`pnpm demo`): one monitor serving HTTP, TCP, WebSocket and UDP on localhost,
// simulated clients on each, and a scripted story (see demo.mjs), on the system clock.
//
//   node apps/demo/src/main.mjs            runs the story (about 5 s) and exits
//   node apps/demo/src/main.mjs --forever  keeps the clients beating until Ctrl-C
import { createDemo } from './demo.mjs'

const forever = process.argv.includes('--forever')
const demo = createDemo({ colors: process.stdout.isTTY && !process.env.NO_COLOR })
await demo.run(forever ? { until: new Promise((resolve) => process.once('SIGINT', resolve)) } : {})
