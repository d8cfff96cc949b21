(* Broken: the statement is false. *)
Lemma wrong : 2 + 2 = 5.
Proof. reflexivity. Qed.
