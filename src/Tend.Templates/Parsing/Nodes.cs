using System.Text;
using Tend.Templates.Formatting;

namespace Tend.Templates.Parsing;

/// <summary>The parse tree, shaped like Go's text/template/parse nodes (String() forms included,
/// because Go's error messages quote them).</summary>
internal abstract class Node
{
    protected Node(TreeInfo tree, int pos)
    {
        Tree = tree;
        Pos = pos;
    }

    public TreeInfo Tree { get; }

    public int Pos { get; }

    public abstract void WriteTo(StringBuilder sb);

    public override string ToString()
    {
        var sb = new StringBuilder();
        WriteTo(sb);
        return sb.ToString();
    }
}

/// <summary>What a node needs to report a location: the name the text was parsed under and the text.</summary>
internal sealed class TreeInfo(string parseName, string text)
{
    public string ParseName { get; } = parseName;

    public string Text { get; } = text;

    public (int Line, int Column) LineColumn(int pos)
    {
        int line = 1;
        int lastNl = -1;
        for (int i = 0; i < pos && i < Text.Length; i++)
        {
            if (Text[i] == '\n')
            {
                line++;
                lastNl = i;
            }
        }
        // Go counts the column in bytes of UTF-8 since the last newline (0-based).
        int col = Encoding.UTF8.GetByteCount(Text.AsSpan(lastNl + 1, Math.Min(pos, Text.Length) - lastNl - 1));
        return (line, col);
    }
}

internal sealed class ListNode(TreeInfo tree, int pos) : Node(tree, pos)
{
    public List<Node> Nodes { get; } = [];

    public override void WriteTo(StringBuilder sb)
    {
        foreach (var n in Nodes)
        {
            n.WriteTo(sb);
        }
    }
}

internal sealed class TextNode(TreeInfo tree, int pos, string text) : Node(tree, pos)
{
    public string Text { get; } = text;

    public override void WriteTo(StringBuilder sb) => sb.Append(GoStrings.Quote(Text));
}

internal sealed class CommentNode(TreeInfo tree, int pos, string text) : Node(tree, pos)
{
    public string Text { get; } = text;

    public override void WriteTo(StringBuilder sb) => sb.Append("{{").Append(Text).Append("}}");
}

internal sealed class PipeNode(TreeInfo tree, int pos, int line) : Node(tree, pos)
{
    public int Line { get; } = line;

    public bool IsAssign { get; set; }

    public List<VariableNode> Decl { get; } = [];

    public List<CommandNode> Cmds { get; } = [];

    public override void WriteTo(StringBuilder sb)
    {
        if (Decl.Count > 0)
        {
            for (int i = 0; i < Decl.Count; i++)
            {
                if (i > 0)
                {
                    sb.Append(", ");
                }
                Decl[i].WriteTo(sb);
            }
            sb.Append(" := ");
        }
        for (int i = 0; i < Cmds.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(" | ");
            }
            Cmds[i].WriteTo(sb);
        }
    }
}

internal sealed class ActionNode(TreeInfo tree, int pos, int line, PipeNode pipe) : Node(tree, pos)
{
    public int Line { get; } = line;

    public PipeNode Pipe { get; } = pipe;

    public override void WriteTo(StringBuilder sb)
    {
        sb.Append("{{");
        Pipe.WriteTo(sb);
        sb.Append("}}");
    }
}

internal sealed class CommandNode(TreeInfo tree, int pos) : Node(tree, pos)
{
    public List<Node> Args { get; } = [];

    public override void WriteTo(StringBuilder sb)
    {
        for (int i = 0; i < Args.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(' ');
            }
            if (Args[i] is PipeNode p)
            {
                sb.Append('(');
                p.WriteTo(sb);
                sb.Append(')');
                continue;
            }
            Args[i].WriteTo(sb);
        }
    }
}

internal sealed class IdentifierNode(TreeInfo tree, int pos, string ident) : Node(tree, pos)
{
    public string Ident { get; } = ident;

    public override void WriteTo(StringBuilder sb) => sb.Append(Ident);
}

internal sealed class VariableNode(TreeInfo tree, int pos, string ident) : Node(tree, pos)
{
    public string[] Ident { get; } = ident.Split('.');

    public override void WriteTo(StringBuilder sb) => sb.AppendJoin('.', Ident);
}

internal sealed class DotNode(TreeInfo tree, int pos) : Node(tree, pos)
{
    public override void WriteTo(StringBuilder sb) => sb.Append('.');
}

internal sealed class NilNode(TreeInfo tree, int pos) : Node(tree, pos)
{
    public override void WriteTo(StringBuilder sb) => sb.Append("nil");
}

internal sealed class FieldNode(TreeInfo tree, int pos, string ident) : Node(tree, pos)
{
    public string[] Ident { get; } = ident[1..].Split('.');

    public override void WriteTo(StringBuilder sb)
    {
        foreach (var id in Ident)
        {
            sb.Append('.').Append(id);
        }
    }
}

internal sealed class ChainNode(TreeInfo tree, int pos, Node node) : Node(tree, pos)
{
    public Node Node { get; } = node;

    public List<string> Field { get; } = [];

    public void Add(string field) => Field.Add(field[1..]);

    public override void WriteTo(StringBuilder sb)
    {
        if (Node is PipeNode)
        {
            sb.Append('(');
            Node.WriteTo(sb);
            sb.Append(')');
        }
        else
        {
            Node.WriteTo(sb);
        }
        foreach (var f in Field)
        {
            sb.Append('.').Append(f);
        }
    }
}

internal sealed class BoolNode(TreeInfo tree, int pos, bool value) : Node(tree, pos)
{
    public bool True { get; } = value;

    public override void WriteTo(StringBuilder sb) => sb.Append(True ? "true" : "false");
}

internal sealed class NumberNode(TreeInfo tree, int pos, string text) : Node(tree, pos)
{
    public bool IsInt { get; set; }

    public bool IsUint { get; set; }

    public bool IsFloat { get; set; }

    public bool IsComplex { get; set; }

    public long Int64 { get; set; }

    public ulong Uint64 { get; set; }

    public double Float64 { get; set; }

    public System.Numerics.Complex Complex128 { get; set; }

    public string Text { get; } = text;

    public override void WriteTo(StringBuilder sb) => sb.Append(Text);
}

internal sealed class StringNode(TreeInfo tree, int pos, string quoted, string text) : Node(tree, pos)
{
    public string Quoted { get; } = quoted;

    public string Text { get; } = text;

    public override void WriteTo(StringBuilder sb) => sb.Append(Quoted);
}

internal sealed class EndNode(TreeInfo tree, int pos) : Node(tree, pos)
{
    public override void WriteTo(StringBuilder sb) => sb.Append("{{end}}");
}

internal sealed class ElseNode(TreeInfo tree, int pos, int line) : Node(tree, pos)
{
    public int Line { get; } = line;

    public override void WriteTo(StringBuilder sb) => sb.Append("{{else}}");
}

internal enum BranchKind
{
    If,
    Range,
    With,
}

internal sealed class BranchNode(TreeInfo tree, int pos, int line, BranchKind kind, PipeNode pipe, ListNode list, ListNode? elseList)
    : Node(tree, pos)
{
    public BranchKind Kind { get; } = kind;

    public int Line { get; } = line;

    public PipeNode Pipe { get; } = pipe;

    public ListNode List { get; } = list;

    public ListNode? ElseList { get; } = elseList;

    public override void WriteTo(StringBuilder sb)
    {
        sb.Append("{{").Append(Kind switch { BranchKind.If => "if", BranchKind.Range => "range", _ => "with" }).Append(' ');
        Pipe.WriteTo(sb);
        sb.Append("}}");
        List.WriteTo(sb);
        if (ElseList is not null)
        {
            sb.Append("{{else}}");
            ElseList.WriteTo(sb);
        }
        sb.Append("{{end}}");
    }
}

internal sealed class BreakNode(TreeInfo tree, int pos, int line) : Node(tree, pos)
{
    public int Line { get; } = line;

    public override void WriteTo(StringBuilder sb) => sb.Append("{{break}}");
}

internal sealed class ContinueNode(TreeInfo tree, int pos, int line) : Node(tree, pos)
{
    public int Line { get; } = line;

    public override void WriteTo(StringBuilder sb) => sb.Append("{{continue}}");
}

internal sealed class TemplateNode(TreeInfo tree, int pos, int line, string name, PipeNode? pipe) : Node(tree, pos)
{
    public int Line { get; } = line;

    public string Name { get; } = name;

    public PipeNode? Pipe { get; } = pipe;

    public override void WriteTo(StringBuilder sb)
    {
        sb.Append("{{template ").Append(GoStrings.Quote(Name));
        if (Pipe is not null)
        {
            sb.Append(' ');
            Pipe.WriteTo(sb);
        }
        sb.Append("}}");
    }
}
