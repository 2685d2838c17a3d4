using System.Collections;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using Tend.Templates.Formatting;
using Tend.Templates.Parsing;

namespace Tend.Templates.Execution;

// if/with, range and {{template}}: the control structures.
internal sealed partial class Compiler
{
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
}
