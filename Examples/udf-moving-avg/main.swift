import KapacitorUDF
import UDFExamples

await UDFAgent.main(MovingAverage.self, name: "udf-moving-avg")
