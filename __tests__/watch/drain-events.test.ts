import { drainEvents } from '../../src/watch/observe.js'

describe('drainEvents', () => {
  it("takes the times of ECS's 'has begun draining connections' events, and of no other", () => {
    expect(
      drainEvents([
        { createdAt: new Date(3000), message: '(service web) has reached a steady state.' },
        { createdAt: new Date(2000), message: '(service web) has begun draining connections on 2 tasks.' },
        { createdAt: new Date(1000), message: '(service web) has begun draining connections on 1 task.' },
        { message: '(service web) has begun draining connections on 1 tasks.' }
      ])
    ).toEqual([2000, 1000])
  })
})
