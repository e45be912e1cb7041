#!/usr/bin/python3
"""Regenerates peer_fixture.json: Sinkhorn divergence values and gradients computed by an
independent PyTorch implementation of the paper's loss (a torch_reference.py module, float64),
read by fixture_test.go.

Usage (from the repository root):

    /usr/bin/python3 core/sinkhorn/testdata/make_fixture.py --peer DIR [--out PATH]

DIR is the directory holding torch_reference.py. Needs Debian's python3-torch.
"""
import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--peer", required=True, help="directory holding torch_reference.py")
    ap.add_argument("--out", default=os.path.join(HERE, "peer_fixture.json"))
    args = ap.parse_args()

    # The peer re-executes itself with OpenBLAS/tcmalloc at import time unless this is set;
    # the fixture is float64 and small, the stock configuration is fine.
    os.environ["HMMRNN_REEXEC"] = "1"
    sys.path.insert(0, os.path.abspath(args.peer))
    import numpy as np
    import torch
    import torch_reference as ref

    torch.manual_seed(1)
    rng = np.random.default_rng(1)
    hmm = ref.make_hmm("linear2")
    T, O = 30, 3

    def dense_case(name, x, y, blur=0.2, scaling=0.5):
        return dict(name=name, kind="dense", x=x, y=y, blur=blur, scaling=scaling)

    def onehot_case(name, xs, ys):
        return dict(name=name, kind="onehot", xs=xs, ys=ys, blur=0.2, scaling=0.5)

    cases = [
        dense_case("gauss 20v25 D=5", torch.randn(20, 5, dtype=torch.float64),
                   torch.randn(25, 5, dtype=torch.float64) + 0.5),
        dense_case("gauss 12v9 D=3 blur=0.5 scaling=0.7", torch.randn(12, 3, dtype=torch.float64),
                   torch.randn(9, 3, dtype=torch.float64) * 2.0, blur=0.5, scaling=0.7),
        onehot_case("onehot T=30 uniform vs HMM 32v27", rng.integers(0, O, (32, T)), ref.sample_hmm(hmm, 27, T, rng)[0]),
        onehot_case("onehot T=30 HMM vs HMM 40v40", ref.sample_hmm(hmm, 40, T, rng)[0], ref.sample_hmm(hmm, 40, T, rng)[0]),
        onehot_case("onehot T=30 HMM vs uniform 24v36", ref.sample_hmm(hmm, 24, T, rng)[0], rng.integers(0, O, (36, T))),
    ]
    out = []
    for c in cases:
        if c["kind"] == "dense":
            x, y = c.pop("x"), c.pop("y")
            c.update(n=x.shape[0], m=y.shape[0], dim=x.shape[1], x=x.flatten().tolist(), y=y.flatten().tolist())
        else:
            xs, ys = c.pop("xs"), c.pop("ys")
            x, y = ref.one_hot_flat(xs, O).double(), ref.one_hot_flat(ys, O).double()
            c.update(n=x.shape[0], m=y.shape[0], T=T, O=O, x=xs.flatten().tolist(), y=ys.flatten().tolist())
        info = {}
        xg = x.clone().requires_grad_(True)
        loss = ref.sinkhorn_divergence(xg, y, blur=c["blur"], scaling=c["scaling"], info=info)
        (g_auto,) = torch.autograd.grad(loss, xg)
        g = ref.sinkhorn_grad_closed_form(x, y, blur=c["blur"], scaling=c["scaling"])
        err = (g - g_auto).abs().max().item()
        assert err < 1e-12, (c["name"], err)
        c.update(loss=loss.item(), grad=g.flatten().tolist(), diameter=info["diameter"],
                 eps_list=[float(e) for e in info["eps_list"]])
        print("%-40s loss %.10f  |closed form - autograd| %.1e  eps_list %d" % (c["name"], c["loss"], err, len(c["eps_list"])))
        out.append(c)
    doc = dict(source="torch_reference.py sinkhorn_divergence + sinkhorn_grad_closed_form, float64, torch "
               + torch.__version__, cases=out)
    with open(args.out, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    print("wrote", args.out, os.path.getsize(args.out), "bytes")


if __name__ == "__main__":
    main()
