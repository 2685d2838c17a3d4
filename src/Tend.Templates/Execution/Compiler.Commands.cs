using System.Runtime.CompilerServices;
using Tend.Templates.Formatting;
using Tend.Templates.Parsing;

namespace Tend.Templates.Execution;

// Pipelines and their commands: constants, variables, chains and field chains.
internal sealed partial class Compiler
{
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
}
