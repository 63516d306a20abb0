import KapacitorUDF
import UDFExamples

await UDFAgent.main(Outliers.self, name: "udf-outliers")
