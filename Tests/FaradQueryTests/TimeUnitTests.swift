import Testing

@testable import FaradQuery

@Suite struct TimeUnitTests {
    // 2024-06-10T06:13:20Z, a Monday.
    let t: Int64 = 1_718_000_000_000

    @Test func alignmentFollowsKairosDBsCode() {
        #expect(Calendar.align(t + 123, unit: .milliseconds, offset: 0) == t)
        #expect(Calendar.align(t, unit: .hours, offset: 0) == 1_717_977_600_000)  // midnight, not the hour
        #expect(Calendar.align(t, unit: .weeks, offset: 0) == 1_717_977_600_000)  // Monday
        #expect(Calendar.align(t, unit: .months, offset: 0) == 1_717_200_000_000)  // June 1st
        #expect(Calendar.align(t, unit: .years, offset: 0) == 1_704_067_200_000)  // Jan 1st
        #expect(Calendar.align(t, unit: .days, offset: 7_200_000) == 1_717_970_400_000)  // midnight at UTC+2
    }

    @Test func monthsHaveTheirRealLengths() {
        let jan31 = Calendar.days(year: 2024, month: 1, day: 31) * Calendar.dayMs
        #expect(Calendar.addMonths(jan31, 1, offset: 0) == Calendar.days(year: 2024, month: 2, day: 29) * Calendar.dayMs)
        #expect(RelativeTime(value: 1, unit: .years).add(1, to: jan31) == Calendar.days(year: 2025, month: 1, day: 31) * Calendar.dayMs)
        #expect(Calendar.civil(fromDays: 0) == (1970, 1, 1))
    }

    @Test func unitsParseCaseInsensitivelyInPluralOnly() {
        #expect(TimeUnit(name: "HOURS") == .hours)
        #expect(TimeUnit(name: "hour") == nil)
    }
}

@Suite struct QueryRequestTests {
    @Test func relativeTimesUseCalendarArithmeticBackwards() throws {
        let now = Calendar.days(year: 2024, month: 3, day: 31) * Calendar.dayMs
        let q = try QueryRequest.parse(Array(#"{"start_relative":{"value":"1","unit":"MONTHS"},"end_relative":{"value":1,"unit":"days"},"metrics":[{"name":"m"}]}"#.utf8), now: now)
        #expect(q.start == Calendar.days(year: 2024, month: 2, day: 29) * Calendar.dayMs)
        #expect(q.end == now - Calendar.dayMs)
    }

    @Test func absoluteWinsOverRelativeAndEndDefaultsToNow() throws {
        let q = try QueryRequest.parse(Array(#"{"start_absolute":5,"start_relative":{"value":1,"unit":"days"},"metrics":[{"name":"m"}]}"#.utf8), now: 1000)
        #expect(q.start == 5)
        #expect(q.end == 1000)
    }
}

@Suite struct GapsTests {
    @Test func marksEveryEmptyBucketUpToTheEnd() throws {
        var gaps = Aggregator(kind: .gaps)
        gaps.sampling = RelativeTime(value: 10, unit: .milliseconds)
        let points = [DataPoint(time: 0, value: .long(1)), DataPoint(time: 5, value: .long(2)), DataPoint(time: 30, value: .long(3))]
        let out = try gaps.apply(points, frame: QueryFrame(start: 0, end: 50, zoneOffset: 0, now: 1_000))
        #expect(out == [
            DataPoint(time: 0, value: .long(1)), DataPoint(time: 5, value: .long(2)), DataPoint(time: 10, value: nil),
            DataPoint(time: 20, value: nil), DataPoint(time: 30, value: .long(3)), DataPoint(time: 40, value: nil),
            DataPoint(time: 50, value: nil),
        ])
    }
}
