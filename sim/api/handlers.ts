// How the simulator's operation handlers are typed: each service lists its operations with the
// SDK's own input and output shapes, so a handler whose answer drifts from what the SDK expects (a
// misspelt field, a wrong type) fails the typecheck instead of a test far away.
import type { SimState } from '../world/model.js'

/** One operation: the SDK's input shape in, the SDK's output shape out. */
export type Handler<I, O> = (state: SimState, input: I, now: number) => O | Promise<O>

/** Operation name → [SDK input, SDK output]. */
export type OperationShapes = Record<string, readonly [unknown, unknown]>

/** A handler for every operation of a service, each typed by its own shapes. */
export type Handlers<Ops extends OperationShapes> = {
  readonly [K in keyof Ops]: Handler<Ops[K][0], Ops[K][1]>
}

/**
 * What an awsQuery request (ELB, STS) delivers for an SDK input shape: the form body carries every
 * scalar as a string (`Port=8000`, `IsDefault=true`), lists as `member.N` (parsed into arrays) and
 * structures as dotted names (parsed into objects), so numbers and booleans arrive as strings.
 */
export type QueryInput<T> = T extends string
  ? T
  : T extends number | boolean | Date
    ? string | T
    : T extends readonly (infer U)[]
      ? QueryInput<U>[]
      : T extends object
        ? { [K in keyof T]?: QueryInput<T[K]> }
        : T

/** The awsQuery form of every input of a service's shapes. */
export type QueryShapes<Ops extends OperationShapes> = {
  [K in keyof Ops]: readonly [QueryInput<Ops[K][0]>, Ops[K][1]]
}

/** A registry the HTTP front end can call without knowing each operation's shapes. */
export type AnyHandlers = Readonly<Record<string, (state: SimState, input: never, now: number) => unknown>>
