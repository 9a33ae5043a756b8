import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// An SVG document as a real XML parser reads it: if `parse` succeeds, the document is well-formed.
struct SVGDocument {
    struct Element {
        var name: String
        var attributes: [String: String]
        var text = ""
        var parent: Int?
    }

    let elements: [Element]

    /// Nil, with the parser's complaint recorded in `problem`, when the text is not well-formed XML.
    static func parse(_ svg: String, problem: inout String) -> SVGDocument? {
        let collector = Collector()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = collector
        guard parser.parse() else {
            problem = "line \(parser.lineNumber): \(parser.parserError.map(String.init(describing:)) ?? "unknown error")"
            return nil
        }
        return SVGDocument(elements: collector.elements)
    }

    var root: Element? { elements.first }

    func elements(ofClass name: String) -> [(index: Int, element: Element)] {
        elements.enumerated().filter { $0.element.attributes["class"] == name }.map { ($0.offset, $0.element) }
    }

    func children(of index: Int, named name: String) -> [Element] {
        elements.filter { $0.parent == index && $0.name == name }
    }

    /// All text of the document outside the arrows, such as the title and the header lines.
    var headerText: String {
        elements.filter { $0.name == "text" && $0.parent.map { elements[$0].name } == "svg" }.map(\.text).joined(separator: "\n")
    }

    private final class Collector: NSObject, XMLParserDelegate {
        var elements: [Element] = []
        private var open: [Int] = []

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName: String?, attributes: [String: String] = [:]) {
            elements.append(Element(name: elementName, attributes: attributes, parent: open.last))
            open.append(elements.count - 1)
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if let current = open.last { elements[current].text += string }
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
            open.removeLast()
        }
    }
}
