import { describe, expect, it } from "vitest";
import { call } from "./test-helpers.js";
import { BuiltinError } from "./types.js";

const T = 1703444325734390000; // 2023-12-24T18:58:45.73439Z, a Sunday
const T2 = 1257894000000000000; // 2009-11-10T23:00:00Z, a Tuesday

describe("time", () => {
  it("returns the evaluation's clock", () => {
    expect(call("time.now_ns")).toBe(1_700_000_000_000_000_000);
  });

  it("splits instants into date, clock and weekday, with zones", () => {
    expect(call("time.date", T)).toEqual([2023, 12, 24]);
    expect(call("time.date", [T2, "UTC"])).toEqual([2009, 11, 10]);
    expect(call("time.clock", T)).toEqual([18, 58, 45]);
    expect(call("time.clock", [T, "CET"])).toEqual([19, 58, 45]);
    expect(call("time.clock", [T, "America/New_York"])).toEqual([13, 58, 45]);
    expect(call("time.weekday", T)).toBe("Sunday");
    expect(call("time.weekday", [T2, ""])).toBe("Tuesday");
    expect(() => call("time.date", "1703444325734390000")).toThrow(BuiltinError);
    expect(() => call("time.date", [T, "Mars/Olympus"])).toThrow(BuiltinError);
  });

  it("formats with Go layouts", () => {
    expect(call("time.format", T)).toBe("2023-12-24T18:58:45.73439Z");
    expect(call("time.format", T2)).toBe("2009-11-10T23:00:00Z");
    expect(call("time.format", [T, "UTC", "2006-01-02T15:04:05"])).toBe("2023-12-24T18:58:45");
    expect(call("time.format", [T2, "", "02/01/2006 15:04"])).toBe("10/11/2009 23:00");
    expect(call("time.format", [T2, "UTC", "Mon Jan _2 3:04PM .000 -07:00"])).toBe("Tue Nov 10 11:00PM .000 +00:00");
    expect(call("time.format", [T2, "Europe/Paris", "RFC3339"])).toBe("2009-11-11T00:00:00+01:00");
    expect(() => call("time.format", [T, "UTC", 42])).toThrow(BuiltinError);
  });

  it("parses with Go layouts and RFC 3339", () => {
    expect(call("time.parse_ns", "2006-01-02T15:04:05", "2016-05-10T19:06:42")).toBe(1462907202000000000);
    expect(call("time.parse_ns", "2006-01-02 15:04:05", "2015-09-05 23:56:04")).toBe(1441497364000000000);
    const text = call("time.format", [T, "UTC", "2006-01-02T15:04:05.999999999"]);
    expect(call("time.parse_ns", "2006-01-02T15:04:05.999999999", text)).toBe(T);
    expect(call("time.parse_ns", "Jan 2 2006 3:04PM -0700", "Feb 3 2020 1:30PM -0200")).toBe(1580743800000000000);
    expect(call("time.parse_rfc3339_ns", "1985-04-12T23:20:50.52Z")).toBe(482196050520000000);
    expect(call("time.parse_rfc3339_ns", "1996-12-19T16:39:57-08:00")).toBe(851042397000000000);
    expect(() => call("time.parse_rfc3339_ns", "yesterday")).toThrow(BuiltinError);
    expect(() => call("time.parse_ns", "2006-01-02", "2023-02-30")).toThrow(BuiltinError);
  });

  it("parses Go durations", () => {
    expect(call("time.parse_duration_ns", "1h")).toBe(3600000000000);
    expect(call("time.parse_duration_ns", "1h6m13.3s20ms15µs1ns")).toBe(3973320015001);
    expect(call("time.parse_duration_ns", "1.2h20.2ms15µs56ns")).toBe(4320020215056);
    expect(call("time.parse_duration_ns", "45.67s123ms")).toBe(45793000000);
    expect(call("time.parse_duration_ns", "15.000001ms")).toBe(15000001);
    expect(call("time.parse_duration_ns", "-1.5s")).toBe(-1500000000);
    expect(() => call("time.parse_duration_ns", "1d")).toThrow(BuiltinError);
  });

  it("adds calendar units like Go's AddDate", () => {
    expect(call("time.add_date", T, 1, 0, 0)).toBe(1735066725734390000);
    expect(call("time.add_date", T, -60, 0, 0)).toBe(-190011674265610000);
    expect(call("time.add_date", T, 0, 15, 0)).toBe(1742842725734390000);
    expect(call("time.add_date", T, 0, -19, 0)).toBe(1653418725734390000);
    expect(call("time.add_date", T, 0, 0, 37)).toBe(1706641125734390000);
    expect(call("time.add_date", T, 213, 6, 5)).toBe(8441261925734390000);
    expect(call("time.add_date", T, -213, 6, -5)).toBe(-5002923674265610000);
    expect(call("time.add_date", T, 10, 14, -75)).toBe(2049476325734390000);
    expect(call("time.add_date", T, 2147483647, 0, 0)).toBeUndefined();
    expect(call("time.add_date", T, -2147483647, 0, 0)).toBeUndefined();
  });

  it("diffs instants in calendar units", () => {
    expect(call("time.diff", T, T2)).toEqual([14, 1, 13, 19, 58, 45]);
    expect(call("time.diff", [T, "UTC"], [T2, ""])).toEqual([14, 1, 13, 19, 58, 45]);
    const feb2 = call("time.parse_ns", "2006-01-02", "2020-02-02");
    const mar1 = call("time.parse_ns", "2006-01-02", "2020-03-01");
    expect(call("time.diff", feb2, mar1)).toEqual([0, 0, 28, 0, 0, 0]);
  });
});
