# Farad's stand-in for Kapacitor's Python UDF package (kapacitor.udf): the same import paths and
# Agent/Handler API, so a UDF written for Kapacitor's agent runs on it unchanged. udf_pb2 is
# generated next to this file by run.sh (protoc --python_out) from Farad's udf.proto.
