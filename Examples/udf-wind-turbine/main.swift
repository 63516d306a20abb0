import KapacitorUDF
import UDFExamples

await UDFAgent.main(WindTurbineAnomaly.self, name: "udf-wind-turbine")
