using System.Collections;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using Tend.Templates.Formatting;
using Tend.Templates.Parsing;

namespace Tend.Templates.Execution;

internal enum Flow
{
    Normal,
    Break,
    Continue,
}

internal delegate Flow ExecFn(ExecState s, object? dot);

internal delegate object? EvalFn(ExecState s, object? dot);

internal delegate object? CmdFn(ExecState s, object? dot, object? final);

internal delegate object? ChainFn(ExecState s, object? dot, object? receiver, bool wrapped, object? final);

/// <summary>One named template, compiled.</summary>
internal sealed class CompiledTree(string name)
{
    public string Name { get; } = name;

    public ExecFn Body { get; set; } = static (_, _) => Flow.Normal;
}

/// <summary>
/// Turns parse trees into closures. Every decision Go's exec.go makes by switching on node kinds
/// (and every constant, function and variable slot) is taken here once, so rendering only runs
/// the resulting delegates. The closures follow exec.go's order of evaluation and its calls to
/// state.at(), which is what makes error locations and messages identical.
/// </summary>
internal sealed class Compiler
{
    /// <summary>Marks "no final argument" (Go's missingVal).</summary>
    public static readonly object Missing = new();

    private readonly Dictionary<string, CompiledTree> _trees;
    private readonly FunctionRegistry _functions;
    private readonly List<string> _scope = [];

    private Compiler(Dictionary<string, CompiledTree> trees, FunctionRegistry functions)
    {
        _trees = trees;
        _functions = functions;
    }

    public static Dictionary<string, CompiledTree> Compile(ParseResult parsed, FunctionRegistry functions)
    {
        var trees = new Dictionary<string, CompiledTree>(StringComparer.Ordinal);
        foreach (var name in parsed.Trees.Keys)
        {
            trees[name] = new CompiledTree(name);
        }
        var c = new Compiler(trees, functions);
        foreach (var (name, root) in parsed.Trees)
        {
            c._scope.Clear();
            c._scope.Add("$");
            trees[name].Body = c.CompileList(root);
        }
        return trees;
    }

    private static string Intern(string s) => string.Intern(s);

    private int Slot(string name) => _scope.LastIndexOf(name);

    private void Truncate(int mark) => _scope.RemoveRange(mark, _scope.Count - mark);

    private ExecFn CompileList(ListNode list)
    {
        RuntimeHelpers.EnsureSufficientExecutionStack();
        var fns = new List<ExecFn>();
        foreach (var n in list.Nodes)
        {
            var f = CompileNode(n);
            if (f is not null)
            {
                fns.Add(f);
            }
        }
        if (fns.Count == 0)
        {
            return static (_, _) => Flow.Normal;
        }
        if (fns.Count == 1)
        {
            return fns[0];
        }
        var arr = fns.ToArray();
        return (s, dot) =>
        {
            foreach (var f in arr)
            {
                var r = f(s, dot);
                if (r != Flow.Normal)
                {
                    return r;
                }
            }
            return Flow.Normal;
        };
    }

    private ExecFn? CompileNode(Node node)
    {
        switch (node)
        {
            case TextNode t:
                {
                    string text = t.Text;
                    return (s, _) =>
                    {
                        s.Out.Write(text);
                        return Flow.Normal;
                    };
                }
            case CommentNode:
                return null;
            case ActionNode a:
                {
                    var direct = TryCompileDirectPrint(a);
                    if (direct is not null)
                    {
                        return direct;
                    }
                    if (a.Pipe.Decl.Count == 0 && a.Pipe.Cmds.Count == 1)
                    {
                        return CompileSimpleAction(a);
                    }
                    var pipe = CompilePipeline(a.Pipe);
                    if (a.Pipe.Decl.Count > 0)
                    {
                        return (s, dot) =>
                        {
                            s.At = a;
                            pipe(s, dot);
                            return Flow.Normal;
                        };
                    }
                    return (s, dot) =>
                    {
                        s.At = a;
                        var v = pipe(s, dot);
                        s.At = a;
                        Output.PrintValue(s.Out, v);
                        return Flow.Normal;
                    };
                }
            case BreakNode:
                return static (_, _) => Flow.Break;
            case ContinueNode:
                return static (_, _) => Flow.Continue;
            case BranchNode b when b.Kind == BranchKind.Range:
                return CompileRange(b);
            case BranchNode b:
                return CompileIfOrWith(b);
            case TemplateNode t:
                return CompileTemplate(t);
            default:
                throw new InvalidOperationException("unknown node: " + node);
        }
    }

    // The common {{command}} action: one command, no declarations, so no pipeline closure.
    private ExecFn CompileSimpleAction(ActionNode a)
    {
        var p = a.Pipe;
        var cmd = CompileCommand(p.Cmds[0], hasFinal: false);
        return (s, dot) =>
        {
            s.At = a;
            s.At = p;
            var v = cmd(s, dot, Missing);
            s.At = a;
            Output.PrintValue(s.Out, v is GoNil ? null : v);
            return Flow.Normal;
        };
    }

    // Deeply nested blocks or parentheses would overflow the stack; like Go's growable stacks,
    // evaluation continues on a fresh thread with a large stack instead. Separate methods keep
    // the closure allocation out of the normal path.
    private static ExecFn GuardExec(ExecFn f) => (s, dot) =>
        RuntimeHelpers.TryEnsureSufficientExecutionStack() ? f(s, dot) : HopExec(f, s, dot);

    private static EvalFn GuardEval(EvalFn f) => (s, dot) =>
        RuntimeHelpers.TryEnsureSufficientExecutionStack() ? f(s, dot) : HopEval(f, s, dot);

    private static Flow HopExec(ExecFn f, ExecState s, object? dot) => OnFreshStack(() => f(s, dot));

    private static object? HopEval(EvalFn f, ExecState s, object? dot) => OnFreshStack(() => f(s, dot));

    private static T OnFreshStack<T>(Func<T> f)
    {
        T result = default!;
        Exception? error = null;
        var state = ExecState.Current;
        var thread = new Thread(
            () =>
            {
                try
                {
                    ExecState.Enter(state);
                    result = f();
                }
                catch (Exception e)
                {
                    error = e;
                }
            },
            256 * 1024 * 1024);
        thread.Start();
        thread.Join();
        if (error is not null)
        {
            ExceptionDispatchInfo.Throw(error);
        }
        return result;
    }

    private ExecFn CompileIfOrWith(BranchNode b) => GuardExec(CompileIfOrWithCore(b));

    private ExecFn CompileIfOrWithCore(BranchNode b)
    {
        int mark0 = _scope.Count;
        var pipe = CompilePipeline(b.Pipe);
        int mark1 = _scope.Count;
        var list = CompileList(b.List);
        Truncate(mark1);
        var elseList = b.ElseList is null ? null : CompileList(b.ElseList);
        Truncate(mark0);
        if (b.Kind == BranchKind.With)
        {
            return (s, dot) =>
            {
                int mark = s.Count;
                var v = pipe(s, dot);
                Flow f = Flow.Normal;
                if (GoValues.IsTrue(v))
                {
                    bool w = s.DotWrapped;
                    s.DotWrapped = false;
                    f = list(s, v);
                    s.DotWrapped = w;
                }
                else if (elseList is not null)
                {
                    f = elseList(s, dot);
                }
                s.Pop(mark);
                return f;
            };
        }
        return (s, dot) =>
        {
            int mark = s.Count;
            var v = pipe(s, dot);
            Flow f = Flow.Normal;
            if (GoValues.IsTrue(v))
            {
                f = list(s, dot);
            }
            else if (elseList is not null)
            {
                f = elseList(s, dot);
            }
            s.Pop(mark);
            return f;
        };
    }

    private ExecFn CompileRange(BranchNode r) => GuardExec(CompileRangeCore(r));

    private ExecFn CompileRangeCore(BranchNode r)
    {
        int mark0 = _scope.Count;
        var pipe = CompilePipeline(r.Pipe);
        int mark1 = _scope.Count;
        int ndecl = r.Pipe.Decl.Count;
        var body = CompileList(r.List);
        Truncate(mark1);
        var elseList = r.ElseList is null ? null : CompileList(r.ElseList);
        Truncate(mark0);
        return (s, dot) =>
        {
            s.At = r;
            int outer = s.Count;
            var val = pipe(s, dot);
            int mark = s.Count;
            bool ran = false;
            switch (val)
            {
                case null:
                    break;
                case IList list:
                    if (list.Count > 0)
                    {
                        ran = true;
                        bool wrapped = GoValues.ElementsAreInterfaces(list);
                        bool saved = s.DotWrapped;
                        for (int i = 0; i < list.Count; i++)
                        {
                            var elem = GoValues.ListElement(list, i);
                            if (RangeStep(s, mark, ndecl, elem, ndecl > 1 ? GoValues.Box(i) : null, wrapped, body) == Flow.Break)
                            {
                                break;
                            }
                        }
                        s.DotWrapped = saved;
                    }
                    break;
                case string or long or double or bool:
                    throw s.Error("range can't iterate over " + Output.Sprint(val));
                default:
                    if (GoValues.Kind(val) == GoKind.Map)
                    {
                        if (GoValues.MapCount(val) > 0)
                        {
                            ran = true;
                            bool wrapped = GoValues.ElementsAreInterfaces(val);
                            bool saved = s.DotWrapped;
                            foreach (var kv in GoValues.SortedEntries(val))
                            {
                                var elem = kv.Value is null ? GoNil.Instance : GoValues.Normalize(kv.Value);
                                if (RangeStep(s, mark, ndecl, elem, kv.Key, wrapped, body) == Flow.Break)
                                {
                                    break;
                                }
                            }
                            s.DotWrapped = saved;
                        }
                        break;
                    }
                    throw s.Error("range can't iterate over " + Output.Sprint(val));
            }
            Flow result = Flow.Normal;
            if (!ran && elseList is not null)
            {
                result = elseList(s, dot);
            }
            s.Pop(outer);
            return result;
        };
    }

    /// <summary>One iteration of a range over a list or a map: bind <c>$elem</c> (and <c>$key</c>), run the body, unwind.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static Flow RangeStep(ExecState s, int mark, int ndecl, object? elem, object? key, bool wrapped, ExecFn body)
    {
        s.Tick();
        if (ndecl > 0)
        {
            s.Vars[mark - 1] = elem;
            s.Wrapped[mark - 1] = wrapped;
        }

        if (ndecl > 1)
        {
            s.Vars[mark - 2] = key;
            s.Wrapped[mark - 2] = false;
        }

        s.DotWrapped = wrapped;
        var f = body(s, elem);
        s.Pop(mark);
        return f;
    }

    private ExecFn CompileTemplate(TemplateNode t)
    {
        var target = _trees.GetValueOrDefault(t.Name);
        var pipe = t.Pipe is null ? null : CompilePipeline(t.Pipe);
        string notDefined = $"template {GoStrings.Quote(t.Name)} not defined";
        return (s, dot) =>
        {
            s.At = t;
            if (target is null)
            {
                throw s.Error(notDefined);
            }
            if (s.Depth == ExecState.MaxExecDepth)
            {
                throw s.Error($"exceeded maximum template depth ({ExecState.MaxExecDepth})");
            }
            s.Tick();
            object? newDot = pipe is null ? null : pipe(s, dot);
            var savedTree = s.Tree;
            int savedBase = s.Base;
            int savedCount = s.Count;
            bool savedWrapped = s.DotWrapped;
            s.Tree = target;
            s.Base = s.Count;
            s.Push("$", newDot);
            s.Depth++;
            s.DotWrapped = false;
            if (RuntimeHelpers.TryEnsureSufficientExecutionStack())
            {
                target.Body(s, newDot);
            }
            else
            {
                RunOnFreshStack(s, target, newDot);
            }
            s.Depth--;
            s.Pop(savedCount);
            s.Base = savedBase;
            s.Tree = savedTree;
            s.DotWrapped = savedWrapped;
            return Flow.Normal;
        };
    }

    // Deep {{template}} recursion continues on a new thread with a large stack instead of
    // overflowing: Go allows 100000 levels, far more than a default .NET stack holds.
    private static void RunOnFreshStack(ExecState s, CompiledTree target, object? dot)
    {
        Exception? error = null;
        var thread = new Thread(
            () =>
            {
                try
                {
                    ExecState.Enter(s);
                    target.Body(s, dot);
                }
                catch (Exception e)
                {
                    error = e;
                }
            },
            256 * 1024 * 1024);
        thread.Start();
        thread.Join();
        if (error is not null)
        {
            ExceptionDispatchInfo.Throw(error);
        }
    }

    private EvalFn CompilePipeline(PipeNode p) => GuardEval(CompilePipelineCore(p));

    private EvalFn CompilePipelineCore(PipeNode p)
    {
        RuntimeHelpers.EnsureSufficientExecutionStack();
        var cmds = new CmdFn[p.Cmds.Count];
        for (int i = 0; i < cmds.Length; i++)
        {
            cmds[i] = CompileCommand(p.Cmds[i], hasFinal: i > 0);
        }
        int ndecl = p.Decl.Count;
        var names = ndecl == 0 ? [] : new string[ndecl];
        var slots = ndecl == 0 ? [] : new int[ndecl];
        for (int i = 0; i < ndecl; i++)
        {
            names[i] = Intern(p.Decl[i].Ident[0]);
            slots[i] = Slot(names[i]);
        }
        bool assign = p.IsAssign;
        if (!assign)
        {
            foreach (var n in names)
            {
                _scope.Add(n);
            }
        }
        if (cmds.Length == 1 && ndecl == 0)
        {
            var cmd = cmds[0];
            return (s, dot) =>
            {
                s.At = p;
                var v = cmd(s, dot, Missing);
                return v is GoNil ? null : v;
            };
        }
        return (s, dot) =>
        {
            s.At = p;
            object? v = Missing;
            foreach (var cmd in cmds)
            {
                v = cmd(s, dot, v);
                if (v is GoNil)
                {
                    v = null;
                }
            }
            for (int i = 0; i < names.Length; i++)
            {
                if (assign)
                {
                    int idx = s.Resolve(slots[i], names[i]);
                    s.Vars[idx] = v;
                    s.Wrapped[idx] = false;
                }
                else
                {
                    s.Push(names[i], v);
                }
            }
            return v;
        };
    }

    private static CmdFn Fail(Node? at, string message) => (s, _, _) =>
    {
        if (at is not null)
        {
            s.At = at;
        }
        throw s.Error(message);
    };

    private CmdFn CompileCommand(CommandNode cmd, bool hasFinal)
    {
        var first = cmd.Args[0];
        bool notAFunction = cmd.Args.Count > 1 || hasFinal;
        switch (first)
        {
            case FieldNode f when f.Ident.Length == 1 && !notAFunction:
                return CompileSingleField(f);
            case FieldNode f:
                {
                    var chain = CompileFieldChain(f, f.Ident, cmd.Args, hasFinal);
                    return (s, dot, final) =>
                    {
                        s.At = f;
                        return chain(s, dot, dot, s.DotWrapped, final);
                    };
                }
            case ChainNode c:
                return CompileChain(c, cmd.Args, hasFinal);
            case IdentifierNode id:
                return CompileFunction(id, cmd, cmd.Args, hasFinal);
            case PipeNode p:
                {
                    if (notAFunction)
                    {
                        return Fail(null, $"can't give argument to non-function {cmd.Args[0]}");
                    }
                    var pf = CompilePipeline(p);
                    return (s, dot, _) => pf(s, dot);
                }
            case VariableNode v:
                return CompileVariable(v, cmd.Args, hasFinal);
        }
        if (notAFunction)
        {
            return Fail(first, $"can't give argument to non-function {cmd.Args[0]}");
        }
        switch (first)
        {
            case BoolNode b:
                {
                    object value = GoValues.Box(b.True);
                    return (s, _, _) =>
                    {
                        s.At = b;
                        return value;
                    };
                }
            case DotNode d:
                return (s, dot, _) =>
                {
                    s.At = d;
                    return dot;
                };
            case NilNode n:
                return Fail(n, "nil is not a command");
            case NumberNode num:
                {
                    var ev = IdealConstant(num);
                    return (s, dot, _) =>
                    {
                        s.At = num;
                        return ev(s, dot);
                    };
                }
            case StringNode str:
                {
                    string text = str.Text;
                    return (s, _, _) =>
                    {
                        s.At = str;
                        return text;
                    };
                }
        }
        return Fail(first, $"can't evaluate command {GoStrings.Quote(first.ToString())}");
    }

    private static CmdFn CompileSingleField(FieldNode f)
    {
        string name = f.Ident[0];
        return (s, dot, _) =>
        {
            s.At = f;
            return EvalField(s, dot, name, f, [], false, Missing, dot, s.DotWrapped).Value;
        };
    }

    private static EvalFn IdealConstant(NumberNode n)
    {
        string text = n.Text;
        bool isHexInt = text.Length > 2 && text[0] == '0' && text[1] is 'x' or 'X' && text.IndexOfAny(['p', 'P']) < 0;
        bool isRuneInt = text.Length > 0 && text[0] == '\'';
        if (n.IsComplex)
        {
            object c = n.Complex128;
            return (s, _) =>
            {
                s.At = n;
                return c;
            };
        }
        if (n.IsFloat && !isHexInt && !isRuneInt && text.IndexOfAny(['.', 'e', 'E', 'p', 'P']) >= 0)
        {
            object f = n.Float64;
            return (s, _) =>
            {
                s.At = n;
                return f;
            };
        }
        if (n.IsInt)
        {
            object i = GoValues.Box(n.Int64);
            return (s, _) =>
            {
                s.At = n;
                return i;
            };
        }
        if (n.IsUint)
        {
            return (s, _) =>
            {
                s.At = n;
                throw s.Error($"{text} overflows int");
            };
        }
        return (s, _) =>
        {
            s.At = n;
            return null;
        };
    }

    private CmdFn CompileChain(ChainNode c, List<Node>? args, bool hasFinal)
    {
        if (c.Node is NilNode)
        {
            return Fail(c, $"indirection through explicit nil in {c}");
        }
        var recv = CompileArg(c.Node, null);
        var chain = CompileFieldChain(c, c.Field.ToArray(), args, hasFinal);
        return (s, dot, final) =>
        {
            s.At = c;
            var r = recv(s, dot);
            return chain(s, dot, r, false, final);
        };
    }

    private CmdFn CompileVariable(VariableNode v, List<Node>? args, bool hasFinal)
    {
        string name = Intern(v.Ident[0]);
        int slot = Slot(name);
        if (v.Ident.Length == 1)
        {
            bool notAFunction = (args is not null && args.Count > 1) || hasFinal;
            string msg = args is null ? "" : $"can't give argument to non-function {args[0]}";
            return (s, _, _) =>
            {
                s.At = v;
                int idx = s.Resolve(slot, name);
                if (notAFunction)
                {
                    throw s.Error(msg);
                }
                return s.Vars[idx];
            };
        }
        var chain = CompileFieldChain(v, v.Ident[1..], args, hasFinal);
        return (s, dot, final) =>
        {
            s.At = v;
            int idx = s.Resolve(slot, name);
            return chain(s, dot, s.Vars[idx], s.Wrapped[idx], final);
        };
    }

    /// <summary>A field chain; the last element may be a method call taking the command's arguments.</summary>
    private ChainFn CompileFieldChain(Node node, string[] idents, List<Node>? args, bool hasFinal)
    {
        var methodArgs = args is null || args.Count <= 1 ? [] : args.Skip(1).Select(a => new ArgEvaluator(this, a)).ToArray();
        bool lastHasArgs = (args is not null && args.Count > 1) || hasFinal;
        int n = idents.Length;
        return (s, dot, receiver, wrapped, final) =>
        {
            for (int i = 0; i < n - 1; i++)
            {
                (receiver, wrapped) = EvalField(s, dot, idents[i], node, [], false, Missing, receiver, wrapped);
            }
            return EvalField(s, dot, idents[n - 1], node, methodArgs, lastHasArgs, final, receiver, wrapped).Value;
        };
    }

    private static (object? Value, bool Wrapped) EvalField(ExecState s, object? dot, string name, Node node, ArgEvaluator[] args, bool hasArgs, object? final, object? receiver, bool wrapped)
    {
        if (receiver is null)
        {
            if (s.MissingKey == MissingKeyMode.Error)
            {
                throw s.Error($"nil data; no entry for key {GoStrings.Quote(name)}");
            }
            return (null, false);
        }
        if (receiver is GoNil)
        {
            throw s.Error($"nil pointer evaluating interface {{}}.{name}");
        }
        switch (receiver)
        {
            case Dictionary<string, object?> d:
                if (hasArgs)
                {
                    throw s.Error($"{name} is not a method but has arguments");
                }
                if (d.TryGetValue(name, out var found))
                {
                    return (found ?? GoNil.Instance, true);
                }
                return MissingKey(s, name, receiver);
            case string or long or double or bool or IList:
                break;
            default:
                var kind = GoValues.Kind(receiver);
                if (kind == GoKind.Map)
                {
                    if (hasArgs)
                    {
                        throw s.Error($"{name} is not a method but has arguments");
                    }
                    if (GoValues.TryMapIndex(receiver, name, out var v))
                    {
                        return (v, GoValues.ElementsAreInterfaces(receiver));
                    }
                    return MissingKey(s, name, receiver);
                }
                if (receiver is ITemplateStruct ts)
                {
                    var type = ts.TemplateType;
                    if (type.TryGetMethod(name, out var method))
                    {
                        return (CallMethod(s, dot, method, receiver, name, node, args, final), false);
                    }
                    if (type.TryGetField(name, out var field))
                    {
                        if (hasArgs)
                        {
                            throw s.Error($"{name} has arguments but cannot be invoked as function");
                        }
                        return (GoValues.Normalize(field.Get(receiver)), field.IsInterface);
                    }
                }
                break;
        }
        string typ = wrapped ? "interface {}" : GoValues.TypeName(receiver);
        throw s.Error($"can't evaluate field {name} in type {typ}");
    }

    private static (object? Value, bool Wrapped) MissingKey(ExecState s, string name, object map)
    {
        switch (s.MissingKey)
        {
            case MissingKeyMode.Zero:
                var z = GoValues.MapZero(map);
                return (z, z is GoNil);
            case MissingKeyMode.Error:
                throw s.Error($"map has no entry for key {GoStrings.Quote(name)}");
            default:
                return (null, false);
        }
    }

    private static object? CallMethod(ExecState s, object? dot, TemplateMethod m, object receiver, string name, Node node, ArgEvaluator[] args, object? final)
    {
        var ps = m.Parameters;
        int numIn = args.Length + (final != Missing ? 1 : 0);
        int numFixed = args.Length;
        if (m.IsVariadic)
        {
            numFixed = ps.Count - 1;
            if (numIn < numFixed)
            {
                throw s.Error($"wrong number of args for {name}: want at least {ps.Count - 1} got {args.Length}");
            }
        }
        else if (numIn != ps.Count)
        {
            throw s.Error($"wrong number of args for {name}: want {ps.Count} got {numIn}");
        }
        s.Tick();
        var argv = numIn == 0 ? [] : new object?[numIn];
        int i = 0;
        for (; i < numFixed && i < args.Length; i++)
        {
            argv[i] = args[i].Eval(s, dot, ps[i]);
        }
        if (m.IsVariadic)
        {
            for (; i < args.Length; i++)
            {
                argv[i] = args[i].Eval(s, dot, ps[^1]);
            }
        }
        if (final != Missing)
        {
            var t = ps[^1];
            if (m.IsVariadic && numIn - 1 < numFixed)
            {
                t = ps[numIn - 1];
            }
            argv[i] = ValidateType(s, final, t);
        }
        object? r;
        try
        {
            r = m.Invoke(receiver, argv);
        }
        catch (TemplateExecutionException)
        {
            throw;
        }
        catch (BudgetExceededException e)
        {
            s.At = node;
            throw s.LimitError(e.Kind, e.Message);
        }
        catch (Exception e)
        {
            s.At = node;
            throw s.Error($"error calling {name}: {e.Message}");
        }
        if (!s.Charge(r))
        {
            s.At = node;
            throw s.MemoryExceeded();
        }
        return r is null ? GoNil.Instance : GoValues.Normalize(r);
    }

    private delegate object?[] ArgsFn(ExecState s, object? dot, object? final);

    /// <summary>Checks arity and compiles argument evaluation for a call of a named function (Go's evalCall up to the call).</summary>
    private (TemplateFunction? Fn, ArgsFn? Args, CmdFn? Failure) CompileCallArgs(IdentifierNode id, List<Node>? args, bool hasFinal)
    {
        string name = id.Ident;
        if (!_functions.TryGet(name, out var fn))
        {
            return (null, null, Fail(id, $"{GoStrings.Quote(name)} is not a defined function"));
        }
        var argNodes = args is null ? [] : args.Skip(1).ToList();
        int numIn = argNodes.Count + (hasFinal ? 1 : 0);
        var ps = fn.Parameters;
        int numFixed = argNodes.Count;
        if (fn.IsVariadic)
        {
            numFixed = ps.Count - 1;
            if (numIn < numFixed)
            {
                return (fn, null, Fail(id, $"wrong number of args for {name}: want at least {ps.Count - 1} got {argNodes.Count}"));
            }
        }
        else if (numIn != ps.Count)
        {
            return (fn, null, Fail(id, $"wrong number of args for {name}: want {ps.Count} got {numIn}"));
        }
        if (fn.Special is "and" or "or")
        {
            return (fn, null, null);
        }
        var argFns = new EvalFn[argNodes.Count];
        for (int i = 0; i < argFns.Length; i++)
        {
            var t = i < numFixed ? ps[i] : ps[^1];
            argFns[i] = CompileArg(argNodes[i], t);
        }
        TemplateParameterType finalType = ps.Count > 0 ? ps[^1] : TemplateParameterType.Any;
        if (hasFinal && fn.IsVariadic && numIn - 1 < numFixed)
        {
            finalType = ps[numIn - 1];
        }
        bool pool = fn.PoolArguments;
        ArgsFn argsFn = (s, dot, final) =>
        {
            var argv = pool ? s.RentArgs(numIn) : new object?[numIn];
            for (int i = 0; i < argFns.Length; i++)
            {
                argv[i] = argFns[i](s, dot);
            }
            if (final != Missing)
            {
                argv[numIn - 1] = ValidateType(s, final, finalType);
            }
            return argv;
        };
        return (fn, argsFn, null);
    }

    private CmdFn CompileFunction(IdentifierNode id, Node callNode, List<Node>? args, bool hasFinal)
    {
        var (fn, argsFn, failure) = CompileCallArgs(id, args, hasFinal);
        if (failure is not null)
        {
            return failure;
        }
        string name = id.Ident;
        if (fn!.Special is "and" or "or")
        {
            bool isOr = fn.Special == "or";
            var argNodes = args is null ? [] : args.Skip(1).ToList();
            var fns = argNodes.Select(a => CompileArg(a, TemplateParameterType.Value)).ToArray();
            return (s, dot, final) =>
            {
                s.At = id;
                object? v = null;
                foreach (var f in fns)
                {
                    v = f(s, dot);
                    if (GoValues.IsTrue(v) == isOr)
                    {
                        return v;
                    }
                }
                if (final != Missing)
                {
                    v = final;
                }
                return v;
            };
        }
        var invoke = fn.Invoke;
        bool pool = fn.PoolArguments;
        return (s, dot, final) =>
        {
            s.At = id;
            var argv = argsFn!(s, dot, final);
            s.Tick();
            object? r;
            try
            {
                r = invoke(argv);
            }
            catch (TemplateExecutionException)
            {
                throw;
            }
            catch (BudgetExceededException e)
            {
                s.At = callNode;
                throw s.LimitError(e.Kind, e.Message);
            }
            catch (Exception e)
            {
                s.At = callNode;
                throw s.Error($"error calling {name}: {e.Message}");
            }
            if (pool)
            {
                s.ReturnArgs(argv);
            }
            if (!s.Charge(r))
            {
                s.At = callNode;
                throw s.MemoryExceeded();
            }
            return r is null ? GoNil.Instance : GoValues.Normalize(r);
        };
    }

    /// <summary>
    /// An action whose pipeline ends in print/printf/println: the text goes straight to the output
    /// instead of through an intermediate string (same bytes; Go would Fprint that string).
    /// </summary>
    private ExecFn? TryCompileDirectPrint(ActionNode a)
    {
        var p = a.Pipe;
        if (p.Decl.Count > 0 || p.Cmds[^1].Args[0] is not IdentifierNode id
            || !_functions.TryGet(id.Ident, out var fn) || fn.Special is not ("print" or "printf" or "println"))
        {
            return null;
        }
        return BuildDirectPrint(a, id, fn.Special);
    }

    // Separate from the checks above so the closure state is only allocated for actions that print.
    private ExecFn? BuildDirectPrint(ActionNode a, IdentifierNode id, string special)
    {
        var p = a.Pipe;
        var cmds = new CmdFn[p.Cmds.Count - 1];
        for (int i = 0; i < cmds.Length; i++)
        {
            cmds[i] = CompileCommand(p.Cmds[i], hasFinal: i > 0);
        }
        var (_, argsFn, failure) = CompileCallArgs(id, p.Cmds[^1].Args, hasFinal: cmds.Length > 0);
        if (failure is not null)
        {
            return null;
        }
        return (s, dot) =>
        {
            s.At = a;
            s.At = p;
            object? v = Missing;
            foreach (var cmd in cmds)
            {
                v = cmd(s, dot, v);
                if (v is GoNil)
                {
                    v = null;
                }
            }
            s.At = id;
            var argv = argsFn!(s, dot, v);
            s.At = a;
            s.Tick();
            var printer = GoPrinter.Rent();
            switch (special)
            {
                case "printf":
                    printer.DoPrintf((string)argv[0]!, argv.AsSpan(1));
                    break;
                case "print":
                    printer.DoPrint(argv);
                    break;
                default:
                    printer.DoPrintln(argv);
                    break;
            }
            foreach (var chunk in printer.Buffer.GetChunks())
            {
                s.Out.Write(chunk.Span);
            }
            printer.Return();
            s.ReturnArgs(argv);
            return Flow.Normal;
        };
    }

    internal static string GoTypeName(TemplateParameterType t) => t switch
    {
        TemplateParameterType.String => "string",
        TemplateParameterType.Integer => "int",
        TemplateParameterType.Float => "float64",
        TemplateParameterType.Boolean => "bool",
        TemplateParameterType.StringList => "[]string",
        TemplateParameterType.KVPairList => "[]memkv.KVPair",
        TemplateParameterType.Value => "reflect.Value",
        _ => "interface {}",
    };

    internal static object? ValidateType(ExecState s, object? value, TemplateParameterType? type)
    {
        if (type is null or TemplateParameterType.Value)
        {
            return value;
        }
        var t = type.Value;
        if (t == TemplateParameterType.Any)
        {
            return value is GoNil ? null : value;
        }
        if (value is null)
        {
            switch (t)
            {
                case TemplateParameterType.StringList:
                    return Array.Empty<string>();
                case TemplateParameterType.KVPairList:
                    return Array.Empty<KVPair>();
            }
            throw s.Error($"invalid value; expected {GoTypeName(t)}");
        }
        bool ok = t switch
        {
            TemplateParameterType.String => value is string,
            TemplateParameterType.Integer => value is long,
            TemplateParameterType.Float => value is double,
            TemplateParameterType.Boolean => value is bool,
            TemplateParameterType.StringList => value is IReadOnlyList<string>,
            TemplateParameterType.KVPairList => value is IReadOnlyList<KVPair>,
            _ => true,
        };
        if (!ok)
        {
            string got = value is GoNil ? "interface {}" : GoValues.TypeName(value);
            throw s.Error($"wrong type for value; expected {GoTypeName(t)}; got {got}");
        }
        return value;
    }

    private static bool CanBeNil(TemplateParameterType? t) =>
        t is null or TemplateParameterType.Any or TemplateParameterType.Value or TemplateParameterType.StringList or TemplateParameterType.KVPairList;

    /// <summary>Go's evalArg: an argument node evaluated for a parameter of the given type (null: untyped).</summary>
    internal EvalFn CompileArg(Node n, TemplateParameterType? type)
    {
        switch (n)
        {
            case DotNode:
                return (s, dot) =>
                {
                    s.At = n;
                    return ValidateType(s, dot, type);
                };
            case NilNode:
                if (CanBeNil(type))
                {
                    object? nil = type switch
                    {
                        TemplateParameterType.StringList => Array.Empty<string>(),
                        TemplateParameterType.KVPairList => Array.Empty<KVPair>(),
                        _ => null,
                    };
                    return (s, _) =>
                    {
                        s.At = n;
                        return nil;
                    };
                }
                return (s, _) =>
                {
                    s.At = n;
                    throw s.Error($"cannot assign nil to {GoTypeName(type!.Value)}");
                };
            case FieldNode f:
                {
                    var chain = CompileFieldChain(f, f.Ident, [n], false);
                    return (s, dot) =>
                    {
                        s.At = n;
                        s.At = f;
                        return ValidateType(s, chain(s, dot, dot, s.DotWrapped, Missing), type);
                    };
                }
            case VariableNode v:
                {
                    var cmd = CompileVariable(v, null, false);
                    return (s, dot) =>
                    {
                        s.At = n;
                        return ValidateType(s, cmd(s, dot, Missing), type);
                    };
                }
            case PipeNode p:
                {
                    var pf = CompilePipeline(p);
                    return (s, dot) =>
                    {
                        s.At = n;
                        return ValidateType(s, pf(s, dot), type);
                    };
                }
            case IdentifierNode id:
                {
                    var call = CompileFunction(id, id, null, false);
                    return (s, dot) =>
                    {
                        s.At = n;
                        return ValidateType(s, call(s, dot, Missing), type);
                    };
                }
            case ChainNode c:
                {
                    var cmd = CompileChain(c, null, false);
                    return (s, dot) =>
                    {
                        s.At = n;
                        return ValidateType(s, cmd(s, dot, Missing), type);
                    };
                }
        }
        string? error = null;
        object? value = null;
        EvalFn? dynamic = null;
        switch (type)
        {
            case TemplateParameterType.Boolean:
                if (n is BoolNode b)
                {
                    value = GoValues.Box(b.True);
                }
                else
                {
                    error = $"expected bool; found {n}";
                }
                break;
            case TemplateParameterType.String:
                if (n is StringNode str)
                {
                    value = str.Text;
                }
                else
                {
                    error = $"expected string; found {n}";
                }
                break;
            case TemplateParameterType.Integer:
                if (n is NumberNode { IsInt: true } ni)
                {
                    value = GoValues.Box(ni.Int64);
                }
                else
                {
                    error = $"expected integer; found {n}";
                }
                break;
            case TemplateParameterType.Float:
                if (n is NumberNode { IsFloat: true } nf)
                {
                    value = nf.Float64;
                }
                else
                {
                    error = $"expected float; found {n}";
                }
                break;
            case TemplateParameterType.StringList or TemplateParameterType.KVPairList:
                error = $"can't handle {n} for arg of type {GoTypeName(type.Value)}";
                break;
            default:
                switch (n)
                {
                    case BoolNode bb:
                        value = GoValues.Box(bb.True);
                        break;
                    case NumberNode num:
                        dynamic = IdealConstant(num);
                        break;
                    case StringNode ss:
                        value = ss.Text;
                        break;
                    default:
                        error = $"can't handle assignment of {n} to empty interface argument";
                        break;
                }
                break;
        }
        if (dynamic is not null)
        {
            return (s, dot) =>
            {
                s.At = n;
                return dynamic(s, dot);
            };
        }
        if (error is not null)
        {
            return (s, _) =>
            {
                s.At = n;
                throw s.Error(error);
            };
        }
        return (s, _) =>
        {
            s.At = n;
            return value;
        };
    }

    /// <summary>An argument of a CLR method call, whose parameter type is only known once the receiver is.</summary>
    internal sealed class ArgEvaluator(Compiler compiler, Node node)
    {
        private readonly EvalFn?[] _byType = new EvalFn?[8];

        public object? Eval(ExecState s, object? dot, TemplateParameterType type)
        {
            var f = _byType[(int)type];
            if (f is null)
            {
                lock (_byType)
                {
                    f = _byType[(int)type] ??= compiler.CompileArgForMethod(node, type);
                }
            }
            return f(s, dot);
        }
    }

    private readonly Lock _compileLock = new();

    private EvalFn CompileArgForMethod(Node n, TemplateParameterType type)
    {
        // Compiling after parse reuses the scope-free parts only; variables resolve by name at run time.
        lock (_compileLock)
        {
            _scope.Clear();
            return CompileArg(n, type);
        }
    }
}
