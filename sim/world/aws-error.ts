// An AWS error as the model raises it: a validation of an API call, or a state change that AWS
// refuses. server/protocol.ts answers it in the wire format the SDK maps to its typed exception.

/** An error answered the way AWS answers it, so the SDK maps it to its typed exception. */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    readonly type: 'Sender' | 'Receiver' = 'Sender'
  ) {
    super(message)
  }
}
