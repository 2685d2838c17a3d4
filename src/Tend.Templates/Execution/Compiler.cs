using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
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
internal sealed partial class Compiler
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
}
