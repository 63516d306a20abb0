// A UDF author imports KapacitorUDF alone: the message types (UDFPoint, BeginBatch, UDFInfo, …)
// come with it.
@_exported import KapacitorUDFWire
