"""A UDF in Python speaking the UDF protocol on stdin and stdout.

It multiplies the field "value" of each stream point by the option scale and
adds the product as the field named by the option as. Its message classes
(udf_pb2) are generated from udf/agent/udf.proto by protoc. A point whose
field "value" is negative is answered with an error response, which stops
the node.
"""

import sys

import udf_pb2


def read_uvarint(stream):
    """Reads an unsigned varint; None at the end of the input."""
    result, shift = 0, 0
    while True:
        b = stream.read(1)
        if not b:
            if shift == 0:
                return None
            raise EOFError("input ended inside a message length")
        result |= (b[0] & 0x7F) << shift
        if not b[0] & 0x80:
            return result
        shift += 7


def read_exactly(stream, n):
    data = b""
    while len(data) < n:
        chunk = stream.read(n - len(data))
        if not chunk:
            raise EOFError("input ended inside a message")
        data += chunk
    return data


def write_message(stream, message):
    data = message.SerializeToString()
    n = len(data)
    prefix = bytearray()
    while True:
        low = n & 0x7F
        n >>= 7
        if n:
            prefix.append(low | 0x80)
        else:
            prefix.append(low)
            break
    stream.write(bytes(prefix) + data)
    stream.flush()


def main():
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    scale, name = 1.0, "scaled"
    while True:
        size = read_uvarint(stdin)
        if size is None:
            return
        request = udf_pb2.Request()
        request.ParseFromString(read_exactly(stdin, size))
        kind = request.WhichOneof("message")
        response = udf_pb2.Response()
        if kind == "info":
            response.info.wants = udf_pb2.STREAM
            response.info.provides = udf_pb2.STREAM
            response.info.options["scale"].valueTypes.append(udf_pb2.DOUBLE)
            response.info.options["as"].valueTypes.append(udf_pb2.STRING)
        elif kind == "init":
            for option in request.init.options:
                if option.name == "scale":
                    scale = option.values[0].doubleValue
                elif option.name == "as":
                    name = option.values[0].stringValue
            response.init.success = True
        elif kind == "keepalive":
            response.keepalive.time = request.keepalive.time
        elif kind == "snapshot":
            response.snapshot.snapshot = repr(scale).encode()
        elif kind == "restore":
            response.restore.success = True
        elif kind == "point":
            value = request.point.fieldsDouble["value"]
            if value < 0:
                response.error.error = "negative value %g" % value
                write_message(stdout, response)
                return
            response.point.CopyFrom(request.point)
            response.point.fieldsDouble[name] = value * scale
        else:
            response.error.error = "scale takes a stream, got %s" % kind
            write_message(stdout, response)
            return
        write_message(stdout, response)


if __name__ == "__main__":
    main()
