using Tend.Templates.Formatting;

namespace Tend.Templates.Parsing;

/// <summary>Thrown inside the parser; carries Go's formatted message and the line it names.</summary>
internal sealed class ParseFailure(string message, int line, int pos) : Exception(message)
{
    public int Line { get; } = line;

    public int Pos { get; } = pos;
}

/// <summary>The result of parsing one text: every template it defines, by name.</summary>
internal sealed class ParseResult(TreeInfo info, Dictionary<string, ListNode> trees)
{
    public TreeInfo Info { get; } = info;

    public Dictionary<string, ListNode> Trees { get; } = trees;
}

/// <summary>
/// Recursive-descent parser following Go's parse.Tree step by step (same lookahead, same
/// variable scoping, same error texts), so parse errors match Go's byte for byte.
/// </summary>
internal sealed class Parser
{
    private readonly Shared _shared;
    private readonly Item[] _token = new Item[3];
    private int _peekCount;
    private readonly List<string> _vars = ["$"];
    private int _rangeDepth;
    private int _actionLine;
    private string _name;

    private sealed class Shared(Lexer lexer, TreeInfo info, Func<string, bool> hasFunction)
    {
        public Lexer Lexer { get; } = lexer;

        public TreeInfo Info { get; } = info;

        public Func<string, bool> HasFunction { get; } = hasFunction;

        public Dictionary<string, ListNode> TreeSet { get; } = new(StringComparer.Ordinal);
    }

    private Parser(Shared shared, string name)
    {
        _shared = shared;
        _name = name;
    }

    private ListNode? Root { get; set; }

    public static ParseResult Parse(string name, string text, Func<string, bool> hasFunction, string? leftDelim = null, string? rightDelim = null)
    {
        var info = new TreeInfo(name, text);
        var shared = new Shared(new Lexer(text, leftDelim, rightDelim), info, hasFunction);
        var p = new Parser(shared, name);
        p.ParseTop();
        p.Add();
        return new ParseResult(info, shared.TreeSet);
    }

    private TreeInfo Info => _shared.Info;

    private ParseFailure Errorf(string message)
    {
        Root = null;
        var tok = _token[0];
        return new ParseFailure($"template: {Info.ParseName}:{tok.Line}: {message}", tok.Line, tok.Pos);
    }

    private Item Next()
    {
        if (_peekCount > 0)
        {
            _peekCount--;
        }
        else
        {
            _token[0] = _shared.Lexer.NextItem();
        }
        return _token[_peekCount];
    }

    private void Backup() => _peekCount++;

    private void Backup2(Item t1)
    {
        _token[1] = t1;
        _peekCount = 2;
    }

    private void Backup3(Item t2, Item t1)
    {
        _token[1] = t1;
        _token[2] = t2;
        _peekCount = 3;
    }

    private Item Peek()
    {
        if (_peekCount > 0)
        {
            return _token[_peekCount - 1];
        }
        _peekCount = 1;
        _token[0] = _shared.Lexer.NextItem();
        return _token[0];
    }

    private Item NextNonSpace()
    {
        Item token;
        do
        {
            token = Next();
        }
        while (token.Type == ItemType.Space);
        return token;
    }

    private Item PeekNonSpace()
    {
        var token = NextNonSpace();
        Backup();
        return token;
    }

    private Item Expect(ItemType expected, string context)
    {
        var token = NextNonSpace();
        if (token.Type != expected)
        {
            throw Unexpected(token, context);
        }
        return token;
    }

    private Item ExpectOneOf(ItemType e1, ItemType e2, string context)
    {
        var token = NextNonSpace();
        if (token.Type != e1 && token.Type != e2)
        {
            throw Unexpected(token, context);
        }
        return token;
    }

    private ParseFailure Unexpected(Item token, string context)
    {
        if (token.Type == ItemType.Error)
        {
            string extra = "";
            if (_actionLine != 0 && _actionLine != token.Line)
            {
                extra = $" in action started at {Info.ParseName}:{_actionLine}";
                if (token.Val.EndsWith(" action", StringComparison.Ordinal))
                {
                    extra = extra[" in action".Length..];
                }
            }
            return Errorf(token.Val + extra);
        }
        return Errorf($"unexpected {token} in {context}");
    }

    private void Add()
    {
        var existing = _shared.TreeSet.GetValueOrDefault(_name);
        if (existing is null || IsEmptyTree(existing))
        {
            _shared.TreeSet[_name] = Root!;
            return;
        }
        if (!IsEmptyTree(Root))
        {
            throw Errorf($"template: multiple definition of template {GoStrings.Quote(_name)}");
        }
    }

    internal static bool IsEmptyTree(Node? n)
    {
        switch (n)
        {
            case null:
                return true;
            case CommentNode:
                return true;
            case ListNode l:
                foreach (var node in l.Nodes)
                {
                    if (!IsEmptyTree(node))
                    {
                        return false;
                    }
                }
                return true;
            case TextNode t:
                return t.Text.AsSpan().Trim(" \t\n\v\f\r\u0085\u00A0").Length == 0;
            default:
                return false;
        }
    }

    private void ParseTop()
    {
        Root = new ListNode(Info, Peek().Pos);
        while (Peek().Type != ItemType.Eof)
        {
            if (Peek().Type == ItemType.LeftDelim)
            {
                var delim = Next();
                if (NextNonSpace().Type == ItemType.Define)
                {
                    var newT = new Parser(_shared, "definition");
                    newT.ParseDefinition();
                    continue;
                }
                Backup2(delim);
            }
            var n = TextOrAction();
            if (n is EndNode or ElseNode)
            {
                throw Errorf($"unexpected {n}");
            }
            Root.Nodes.Add(n);
        }
    }

    private void ParseDefinition()
    {
        const string context = "define clause";
        var name = ExpectOneOf(ItemType.String, ItemType.RawString, context);
        if (!GoStrings.TryUnquote(name.Val, out var unquoted))
        {
            throw Errorf("invalid syntax");
        }
        _name = unquoted;
        Expect(ItemType.RightDelim, context);
        var (list, end) = ItemList();
        Root = list;
        if (end is not EndNode)
        {
            throw Errorf($"unexpected {end} in {context}");
        }
        Add();
    }

    private (ListNode List, Node Next) ItemList()
    {
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        var list = new ListNode(Info, PeekNonSpace().Pos);
        while (PeekNonSpace().Type != ItemType.Eof)
        {
            var n = TextOrAction();
            if (n is EndNode or ElseNode)
            {
                return (list, n);
            }
            list.Nodes.Add(n);
        }
        throw Errorf("unexpected EOF");
    }

    private Node TextOrAction()
    {
        var token = NextNonSpace();
        switch (token.Type)
        {
            case ItemType.Text:
                return new TextNode(Info, token.Pos, token.Val);
            case ItemType.LeftDelim:
                _actionLine = token.Line;
                try
                {
                    return Action();
                }
                finally
                {
                    _actionLine = 0;
                }
            case ItemType.Comment:
                return new CommentNode(Info, token.Pos, token.Val);
            default:
                throw Unexpected(token, "input");
        }
    }

    private Node Action()
    {
        var token = NextNonSpace();
        switch (token.Type)
        {
            case ItemType.Block:
                return BlockControl();
            case ItemType.Break:
                return BreakControl(token.Pos, token.Line);
            case ItemType.Continue:
                return ContinueControl(token.Pos, token.Line);
            case ItemType.Else:
                return ElseControl();
            case ItemType.End:
                return EndControl();
            case ItemType.If:
                return BranchControl(BranchKind.If);
            case ItemType.Range:
                return BranchControl(BranchKind.Range);
            case ItemType.Template:
                return TemplateControl();
            case ItemType.With:
                return BranchControl(BranchKind.With);
        }
        Backup();
        var t = Peek();
        return new ActionNode(Info, t.Pos, t.Line, Pipeline("command", ItemType.RightDelim));
    }

    private BreakNode BreakControl(int pos, int line)
    {
        var token = NextNonSpace();
        if (token.Type != ItemType.RightDelim)
        {
            throw Unexpected(token, "{{break}}");
        }
        if (_rangeDepth == 0)
        {
            throw Errorf("{{break}} outside {{range}}");
        }
        return new BreakNode(Info, pos, line);
    }

    private ContinueNode ContinueControl(int pos, int line)
    {
        var token = NextNonSpace();
        if (token.Type != ItemType.RightDelim)
        {
            throw Unexpected(token, "{{continue}}");
        }
        if (_rangeDepth == 0)
        {
            throw Errorf("{{continue}} outside {{range}}");
        }
        return new ContinueNode(Info, pos, line);
    }

    private PipeNode Pipeline(string context, ItemType end)
    {
        // Nesting recurses; GoTemplate.Parse retries on a bigger stack when this throws.
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        var first = PeekNonSpace();
        var pipe = new PipeNode(Info, first.Pos, first.Line);
    decls:
        var v = PeekNonSpace();
        if (v.Type == ItemType.Variable)
        {
            Next();
            var tokenAfterVariable = Peek();
            var next = PeekNonSpace();
            if (next.Type is ItemType.Assign or ItemType.Declare)
            {
                pipe.IsAssign = next.Type == ItemType.Assign;
                NextNonSpace();
                pipe.Decl.Add(new VariableNode(Info, v.Pos, v.Val));
                _vars.Add(v.Val);
            }
            else if (next.Type == ItemType.Char && next.Val == ",")
            {
                NextNonSpace();
                pipe.Decl.Add(new VariableNode(Info, v.Pos, v.Val));
                _vars.Add(v.Val);
                if (context == "range" && pipe.Decl.Count < 2)
                {
                    switch (PeekNonSpace().Type)
                    {
                        case ItemType.Variable or ItemType.RightDelim or ItemType.RightParen:
                            goto decls;
                        default:
                            throw Errorf("range can only initialize variables");
                    }
                }
                throw Errorf($"too many declarations in {context}");
            }
            else if (tokenAfterVariable.Type == ItemType.Space)
            {
                Backup3(v, tokenAfterVariable);
            }
            else
            {
                Backup2(v);
            }
        }
        while (true)
        {
            var token = NextNonSpace();
            if (token.Type == end)
            {
                CheckPipeline(pipe, context);
                return pipe;
            }
            switch (token.Type)
            {
                case ItemType.Bool or ItemType.CharConstant or ItemType.Complex or ItemType.Dot or ItemType.Field
                    or ItemType.Identifier or ItemType.Number or ItemType.Nil or ItemType.RawString or ItemType.String
                    or ItemType.Variable or ItemType.LeftParen:
                    Backup();
                    pipe.Cmds.Add(Command());
                    break;
                default:
                    throw Unexpected(token, context);
            }
        }
    }

    private void CheckPipeline(PipeNode pipe, string context)
    {
        if (pipe.Cmds.Count == 0)
        {
            throw Errorf($"missing value for {context}");
        }
        for (int i = 1; i < pipe.Cmds.Count; i++)
        {
            if (pipe.Cmds[i].Args[0] is BoolNode or DotNode or NilNode or NumberNode or StringNode)
            {
                throw Errorf($"non executable command in pipeline stage {i + 1}");
            }
        }
    }

    private BranchNode BranchControl(BranchKind kind)
    {
        string context = kind switch { BranchKind.If => "if", BranchKind.Range => "range", _ => "with" };
        int mark = _vars.Count;
        try
        {
            var pipe = Pipeline(context, ItemType.RightDelim);
            if (kind == BranchKind.Range)
            {
                _rangeDepth++;
            }
            var (list, next) = ItemList();
            if (kind == BranchKind.Range)
            {
                _rangeDepth--;
            }
            ListNode? elseList = null;
            if (next is ElseNode)
            {
                if (kind == BranchKind.If && Peek().Type == ItemType.If)
                {
                    Next();
                    elseList = new ListNode(Info, next.Pos);
                    elseList.Nodes.Add(BranchControl(BranchKind.If));
                }
                else
                {
                    (elseList, next) = ItemList();
                    if (next is not EndNode)
                    {
                        throw Errorf($"expected end; found {next}");
                    }
                }
            }
            return new BranchNode(Info, pipe.Pos, pipe.Line, kind, pipe, list, elseList);
        }
        finally
        {
            _vars.RemoveRange(mark, _vars.Count - mark);
        }
    }

    private EndNode EndControl() => new(Info, Expect(ItemType.RightDelim, "end").Pos);

    private ElseNode ElseControl()
    {
        var peek = PeekNonSpace();
        if (peek.Type == ItemType.If)
        {
            return new ElseNode(Info, peek.Pos, peek.Line);
        }
        var token = Expect(ItemType.RightDelim, "else");
        return new ElseNode(Info, token.Pos, token.Line);
    }

    private TemplateNode BlockControl()
    {
        const string context = "block clause";
        var token = NextNonSpace();
        string name = ParseTemplateName(token, context);
        var pipe = Pipeline(context, ItemType.RightDelim);
        var block = new Parser(_shared, name);
        var (list, end) = block.ItemList();
        block.Root = list;
        if (end is not EndNode)
        {
            throw Errorf($"unexpected {end} in {context}");
        }
        block.Add();
        return new TemplateNode(Info, token.Pos, token.Line, name, pipe);
    }

    private TemplateNode TemplateControl()
    {
        const string context = "template clause";
        var token = NextNonSpace();
        string name = ParseTemplateName(token, context);
        PipeNode? pipe = null;
        if (NextNonSpace().Type != ItemType.RightDelim)
        {
            Backup();
            pipe = Pipeline(context, ItemType.RightDelim);
        }
        return new TemplateNode(Info, token.Pos, token.Line, name, pipe);
    }

    private string ParseTemplateName(Item token, string context)
    {
        if (token.Type is ItemType.String or ItemType.RawString)
        {
            if (!GoStrings.TryUnquote(token.Val, out var s))
            {
                throw Errorf("invalid syntax");
            }
            return s;
        }
        throw Unexpected(token, context);
    }

    private CommandNode Command()
    {
        var cmd = new CommandNode(Info, PeekNonSpace().Pos);
        while (true)
        {
            PeekNonSpace();
            var operand = Operand();
            if (operand is not null)
            {
                cmd.Args.Add(operand);
            }
            var token = Next();
            switch (token.Type)
            {
                case ItemType.Space:
                    continue;
                case ItemType.RightDelim or ItemType.RightParen:
                    Backup();
                    break;
                case ItemType.Pipe:
                    break;
                default:
                    throw Unexpected(token, "operand");
            }
            break;
        }
        if (cmd.Args.Count == 0)
        {
            throw Errorf("empty command");
        }
        return cmd;
    }

    private Node? Operand()
    {
        var node = Term();
        if (node is null)
        {
            return null;
        }
        if (Peek().Type == ItemType.Field)
        {
            var chain = new ChainNode(Info, Peek().Pos, node);
            while (Peek().Type == ItemType.Field)
            {
                chain.Add(Next().Val);
            }
            switch (node)
            {
                case FieldNode:
                    node = new FieldNode(Info, chain.Pos, chain.ToString());
                    break;
                case VariableNode:
                    node = new VariableNode(Info, chain.Pos, chain.ToString());
                    break;
                case BoolNode or StringNode or NumberNode or NilNode or DotNode:
                    throw Errorf($"unexpected . after term {GoStrings.Quote(node.ToString())}");
                default:
                    node = chain;
                    break;
            }
        }
        return node;
    }

    private Node? Term()
    {
        var token = NextNonSpace();
        switch (token.Type)
        {
            case ItemType.Identifier:
                if (!_shared.HasFunction(token.Val))
                {
                    throw Errorf($"function {GoStrings.Quote(token.Val)} not defined");
                }
                return new IdentifierNode(Info, token.Pos, token.Val);
            case ItemType.Dot:
                return new DotNode(Info, token.Pos);
            case ItemType.Nil:
                return new NilNode(Info, token.Pos);
            case ItemType.Variable:
                return UseVar(token.Pos, token.Val);
            case ItemType.Field:
                return new FieldNode(Info, token.Pos, token.Val);
            case ItemType.Bool:
                return new BoolNode(Info, token.Pos, token.Val == "true");
            case ItemType.CharConstant or ItemType.Complex or ItemType.Number:
                return NewNumber(token);
            case ItemType.LeftParen:
                return Pipeline("parenthesized pipeline", ItemType.RightParen);
            case ItemType.String or ItemType.RawString:
                if (!GoStrings.TryUnquote(token.Val, out var s))
                {
                    throw Errorf("invalid syntax");
                }
                return new StringNode(Info, token.Pos, token.Val, s);
        }
        Backup();
        return null;
    }

    private VariableNode UseVar(int pos, string name)
    {
        var v = new VariableNode(Info, pos, name);
        if (_vars.Contains(v.Ident[0]))
        {
            return v;
        }
        throw Errorf($"undefined variable {GoStrings.Quote(v.Ident[0])}");
    }

    private static void SimplifyComplex(NumberNode n)
    {
        n.IsFloat = n.Complex128.Imaginary == 0;
        if (n.IsFloat)
        {
            double f = n.Complex128.Real;
            n.Float64 = f;
            n.IsInt = f >= -9.2233720368547758e18 && f < 9.2233720368547758e18 && (double)(long)f == f;
            if (n.IsInt)
            {
                n.Int64 = (long)f;
            }
            n.IsUint = f >= 0 && f < 1.8446744073709552e19 && (double)(ulong)f == f;
            if (n.IsUint)
            {
                n.Uint64 = (ulong)f;
            }
        }
    }

    private NumberNode NewNumber(Item token)
    {
        string text = token.Val;
        var n = new NumberNode(Info, token.Pos, text);
        if (token.Type == ItemType.CharConstant)
        {
            if (!GoStrings.TryUnquoteChar(text, 1, '\'', out int rune, out int next))
            {
                throw Errorf("invalid syntax");
            }
            if (text[next..] != "'")
            {
                throw Errorf($"malformed character constant: {text}");
            }
            n.Int64 = rune;
            n.IsInt = true;
            n.Uint64 = (ulong)rune;
            n.IsUint = true;
            n.Float64 = rune;
            n.IsFloat = true;
            return n;
        }
        if (token.Type == ItemType.Complex)
        {
            int split = -1;
            for (int k = text.Length - 2; k > 0; k--)
            {
                if (text[k] is '+' or '-' && text[k - 1] is not ('e' or 'E' or 'p' or 'P'))
                {
                    split = k;
                    break;
                }
            }
            if (split < 0 || !GoNumbers.TryParseFloat(text[..split], out double re) || !GoNumbers.TryParseFloat(text[split..^1], out double im))
            {
                throw Errorf($"illegal number syntax: {GoStrings.Quote(text)}");
            }
            n.IsComplex = true;
            n.Complex128 = new System.Numerics.Complex(re, im);
            SimplifyComplex(n);
            return n;
        }
        if (text.Length > 0 && text[^1] == 'i' && GoNumbers.TryParseFloat(text[..^1], out double imag))
        {
            n.IsComplex = true;
            n.Complex128 = new System.Numerics.Complex(0, imag);
            SimplifyComplex(n);
            return n;
        }
        if (GoNumbers.TryParseUint(text, out ulong u))
        {
            n.IsUint = true;
            n.Uint64 = u;
        }
        if (GoNumbers.TryParseInt(text, out long i))
        {
            n.IsInt = true;
            n.Int64 = i;
            if (i == 0)
            {
                n.IsUint = true;
                n.Uint64 = u;
            }
        }
        if (n.IsInt)
        {
            n.IsFloat = true;
            n.Float64 = n.Int64;
        }
        else if (n.IsUint)
        {
            n.IsFloat = true;
            n.Float64 = n.Uint64;
        }
        else if (GoNumbers.TryParseFloat(text, out double f))
        {
            if (text.IndexOfAny(['.', 'e', 'E', 'p', 'P']) < 0)
            {
                throw Errorf($"integer overflow: {GoStrings.Quote(text)}");
            }
            n.IsFloat = true;
            n.Float64 = f;
            if (!n.IsInt && f >= -9.2233720368547758e18 && f < 9.2233720368547758e18 && (double)(long)f == f)
            {
                n.IsInt = true;
                n.Int64 = (long)f;
            }
            if (!n.IsUint && f >= 0 && f < 1.8446744073709552e19 && (double)(ulong)f == f)
            {
                n.IsUint = true;
                n.Uint64 = (ulong)f;
            }
        }
        if (!n.IsInt && !n.IsUint && !n.IsFloat)
        {
            throw Errorf($"illegal number syntax: {GoStrings.Quote(text)}");
        }
        return n;
    }
}
