using System.Xml;

namespace FipsCluster.Core.Compliance.Reports;

/// <summary>
/// The page as an element tree: HTML elements always get an end tag (an HTML parser reads &lt;td/&gt; as an open td),
/// void elements never; SVG, foreign content in HTML, may self-close.
/// </summary>
internal sealed class HtmlPage
{
    public const string XhtmlNamespace = "http://www.w3.org/1999/xhtml";
    public const string SvgNamespace = "http://www.w3.org/2000/svg";

    private static readonly HashSet<string> VoidElements = new(StringComparer.Ordinal) { "meta", "br", "hr", "img", "link", "col", "wbr" };
    private readonly XmlWriter _xml;

    public HtmlPage(XmlWriter xml) => _xml = xml;

    public void Open(string tag, params (string Name, string Value)[] attributes)
    {
        _xml.WriteStartElement(tag, XhtmlNamespace);
        Attributes(attributes);
    }

    public void Close() => _xml.WriteFullEndElement();

    public void Void(string tag, params (string Name, string Value)[] attributes)
    {
        if (!VoidElements.Contains(tag))
        {
            throw new ArgumentException($"{tag} is not a void element.", nameof(tag));
        }
        _xml.WriteStartElement(tag, XhtmlNamespace);
        Attributes(attributes);
        _xml.WriteEndElement();
    }

    public void Element(string tag, string text, params (string Name, string Value)[] attributes)
    {
        Open(tag, attributes);
        _xml.WriteString(text);
        Close();
    }

    public void Text(string text) => _xml.WriteString(text);

    public void OpenSvg(string tag, params (string Name, string Value)[] attributes)
    {
        _xml.WriteStartElement(tag, SvgNamespace);
        Attributes(attributes);
    }

    public void CloseSvg() => _xml.WriteEndElement();

    public void SvgElement(string tag, string text, params (string Name, string Value)[] attributes)
    {
        OpenSvg(tag, attributes);
        _xml.WriteString(text);
        _xml.WriteFullEndElement();
    }

    private void Attributes((string Name, string Value)[] attributes)
    {
        foreach (var (name, value) in attributes)
        {
            _xml.WriteAttributeString(name, value);
        }
    }
}
