(* Broken: Qed before the proof is finished. *)
Lemma unfinished : forall n m : nat, n + m = m + n.
Proof. intros n m. Qed.
