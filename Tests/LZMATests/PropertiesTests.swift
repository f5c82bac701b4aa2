import XCTest
@testable import LZMA

final class PropertiesTests: XCTestCase {
    func testPropertiesByteRoundTrip() throws {
        for lc in 0...8 { for lp in 0...4 { for pb in 0...4 {
            let p = try LZMAProperties(lc: lc, lp: lp, pb: pb, dictionarySize: 1 << 16)
            let q = try LZMAProperties(propertiesByte: p.propertiesByte, dictionarySize: 1 << 16)
            XCTAssertEqual(p, q)
        } } }
        XCTAssertThrowsError(try LZMAProperties(propertiesByte: 225, dictionarySize: 4096))
        XCTAssertEqual(try LZMAProperties(lc: 3, lp: 0, pb: 2).propertiesByte, 0x5D)
    }
}
